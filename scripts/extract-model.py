"""Writes an AWS service model berth serves, without its documentation.

Source: botocore's data/<service>/<version>/service-2.json (the models the AWS SDKs are
generated from). Run again when a model changes:

    python3 scripts/extract-model.py ecs 2014-11-13
    python3 scripts/extract-model.py sts 2011-06-15
    python3 scripts/extract-model.py ec2 2016-11-15 ec2 --only scripts/ops/ec2.txt

--only FILE keeps in full only the operations FILE lists (one per line) and the shapes they
reach; every other operation keeps its name alone, so the front door still knows it (and
answers that berth does not implement it) without loading shapes it never reads. EC2's full
model is over a megabyte; berth serves a few dozen of its 700-odd operations.

The model lands in src/services/<folder>/model/<service>-<version>.json (the folder is the
service's name in botocore unless given as a third argument).
"""
import gzip, json, os, sys, botocore

args = sys.argv[1:]
only = None
if "--only" in args:
    i = args.index("--only")
    only_file = args[i + 1]
    only = {l.strip() for l in open(only_file) if l.strip() and not l.startswith("#")}
    del args[i : i + 2]
service, version = args[0], args[1]
folder = args[2] if len(args) > 2 else service
src = os.path.join(os.path.dirname(botocore.__file__), f"data/{service}/{version}/service-2.json")
model = json.load(gzip.open(src + ".gz") if os.path.exists(src + ".gz") else open(src))
DROP = {"documentation", "documentationUrl", "deprecatedMessage", "examples"}

def strip(node):
    if isinstance(node, dict):
        return {k: strip(v) for k, v in node.items() if k not in DROP}
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node

def reachable(names):
    seen, todo = set(), list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        def refs(node):
            if isinstance(node, dict):
                if "shape" in node and isinstance(node["shape"], str):
                    todo.append(node["shape"])
                for v in node.values():
                    refs(v)
            elif isinstance(node, list):
                for v in node:
                    refs(v)
        refs(model["shapes"][name])
    return seen

operations, shapes = model["operations"], model["shapes"]
if only is not None:
    missing = only - set(operations)
    if missing:
        sys.exit(f"not operations of {service}: {sorted(missing)}")
    roots = [ref["shape"] for name in only for key in ("input", "output") for ref in [operations[name].get(key)] if ref]
    roots += [e["shape"] for name in only for e in operations[name].get("errors", [])]
    keep = reachable(roots)
    operations = {name: (op if name in only else {"name": name}) for name, op in operations.items()}
    shapes = {name: shape for name, shape in shapes.items() if name in keep}
out = {"metadata": strip(model["metadata"]), "operations": strip(operations), "shapes": strip(shapes)}
dst = os.path.join(os.path.dirname(__file__), "..", f"src/services/{folder}/model/{service}-{version}.json")
os.makedirs(os.path.dirname(dst), exist_ok=True)
with open(dst, "w") as f:
    json.dump(out, f, separators=(",", ":"), sort_keys=True)
print(f"{len(out['operations'])} operations, {len(out['shapes'])} shapes -> {dst}")
