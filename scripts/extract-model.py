"""Writes an AWS service model berth serves, without its documentation.

Source: botocore's data/<service>/<version>/service-2.json (the models the AWS SDKs are
generated from). Run again when a model changes:

    python3 scripts/extract-model.py ecs 2014-11-13
    python3 scripts/extract-model.py sts 2011-06-15

The model lands in src/services/<folder>/model/<service>-<version>.json (the folder is the
service's name in botocore unless given as a third argument).
"""
import gzip, json, os, sys, botocore

service, version = sys.argv[1], sys.argv[2]
folder = sys.argv[3] if len(sys.argv) > 3 else service
src = os.path.join(os.path.dirname(botocore.__file__), f"data/{service}/{version}/service-2.json")
model = json.load(gzip.open(src + ".gz") if os.path.exists(src + ".gz") else open(src))
DROP = {"documentation", "documentationUrl", "deprecatedMessage", "examples"}

def strip(node):
    if isinstance(node, dict):
        return {k: strip(v) for k, v in node.items() if k not in DROP}
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node

out = {"metadata": strip(model["metadata"]), "operations": strip(model["operations"]), "shapes": strip(model["shapes"])}
dst = os.path.join(os.path.dirname(__file__), "..", f"src/services/{folder}/model/{service}-{version}.json")
os.makedirs(os.path.dirname(dst), exist_ok=True)
with open(dst, "w") as f:
    json.dump(out, f, separators=(",", ":"), sort_keys=True)
print(f"{len(out['operations'])} operations, {len(out['shapes'])} shapes -> {dst}")
