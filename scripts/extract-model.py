"""Writes the ECS service model berth validates against, without its documentation.

Source: botocore's data/ecs/2014-11-13/service-2.json (the model @aws-sdk/client-ecs is
generated from). Run again when the model changes: python3 scripts/extract-model.py
"""
import gzip, json, os, botocore

src = os.path.join(os.path.dirname(botocore.__file__), "data/ecs/2014-11-13/service-2.json.gz")
model = json.load(gzip.open(src))
DROP = {"documentation", "documentationUrl", "deprecatedMessage", "examples"}

def strip(node):
    if isinstance(node, dict):
        return {k: strip(v) for k, v in node.items() if k not in DROP}
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node

out = {"metadata": strip(model["metadata"]), "operations": strip(model["operations"]), "shapes": strip(model["shapes"])}
dst = os.path.join(os.path.dirname(__file__), "..", "src/services/ecs/model/ecs-2014-11-13.json")
with open(dst, "w") as f:
    json.dump(out, f, separators=(",", ":"), sort_keys=True)
print(f"{len(out['operations'])} operations, {len(out['shapes'])} shapes -> {dst}")
