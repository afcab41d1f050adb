#!/usr/bin/env python3
"""Lists a crate's public API from rustdoc's JSON output, one item per line,
sorted: modules, types, functions and methods with their signatures, enum
variants, public struct fields, and the trait impls written for each type
(auto traits and blanket impls left out). docs/public-api.txt is its
output for sslconf; .ci/run compares the two.

    RUSTC_BOOTSTRAP=1 cargo rustdoc --lib --all-features -- \
        -Z unstable-options --output-format json
    scripts/public-api.py target/doc/sslconf.json > docs/public-api.txt
"""
import json, sys

d = json.load(open(sys.argv[1]))
idx = d["index"]

def ty(t):
    """A type, as rustdoc JSON describes it, written as Rust."""
    if t is None:
        return "()"
    k, v = next(iter(t.items()))
    if k == "resolved_path":
        args = v.get("args")
        # The item's full path where rustdoc knows it, not as the source
        # spells it: the listing changes with the API, not with imports.
        public_path = public.get(str(v.get("id")))
        known = d.get("paths", {}).get(str(v.get("id")))
        if public_path:
            s = public_path
        elif known and known.get("crate_id", 0) != 0:
            s = "::".join(known["path"])
        else:
            s = v["path"]
        if args and "angle_bracketed" in args:
            a = [ty(x["type"]) if "type" in x else (x.get("lifetime") or "_") for x in args["angle_bracketed"]["args"]]
            a += [f'{c["name"]} = {ty(c["binding"]["equality"]["type"])}' for c in args["angle_bracketed"].get("constraints", []) if "equality" in c.get("binding", {}) and "type" in c["binding"]["equality"]]
            if a:
                s += "<" + ", ".join(a) + ">"
        elif args and "parenthesized" in args:
            p = args["parenthesized"]
            s += "(" + ", ".join(ty(x) for x in p["inputs"]) + ")" + (" -> " + ty(p["output"]) if p.get("output") else "")
        return s
    if k == "generic": return v
    if k == "primitive": return v
    if k == "borrowed_ref":
        return "&" + (v["lifetime"] + " " if v.get("lifetime") else "") + ("mut " if v["is_mutable"] else "") + ty(v["type"])
    if k == "slice": return "[" + ty(v) + "]"
    if k == "array": return "[" + ty(v["type"]) + "; " + v["len"] + "]"
    if k == "tuple": return "(" + ", ".join(ty(x) for x in v) + ")"
    if k == "impl_trait":
        return "impl " + " + ".join(b["trait_bound"]["trait"]["path"] if "trait_bound" in b else b.get("outlives", "") for b in v)
    if k == "qualified_path":
        return f'<{ty(v["self_type"])} as {v["trait"]["path"] if v.get("trait") else "?"}>::{v["name"]}'
    if k == "dyn_trait":
        return "dyn " + " + ".join(t["trait"]["path"] for t in v["traits"])
    if k == "raw_pointer": return "*" + ("mut " if v["is_mutable"] else "const ") + ty(v["type"])
    if k == "function_pointer": return "fn(..)"
    return k

def sig(f):
    s = f["sig"]
    ins = []
    for name, t in s["inputs"]:
        if name == "self":
            ins.append({"&Self": "&self", "&mut Self": "&mut self", "Self": "self"}.get(ty(t), "self: " + ty(t)))
        else:
            ins.append(f"{name}: {ty(t)}")
    out = s.get("output")
    hdr = f["header"]
    pre = ("const " if hdr.get("is_const") else "") + ("async " if hdr.get("is_async") else "")
    gen = [p["name"] for p in f["generics"]["params"] if not p["name"].startswith("'") and "type" in p["kind"] and not p["kind"]["type"].get("is_synthetic")]
    return pre + "fn" + ("<" + ", ".join(gen) + ">" if gen else "") + "(" + ", ".join(ins) + ")" + (" -> " + ty(out) if out else "")

lines = set()
# Each of the crate's items reached from its root, by the public path it is
# reached by (filled by a first walk, so that types print by that path).
public = {}

def item_lines(iid, path):
    public.setdefault(str(iid), path)
    item = idx.get(str(iid))
    if item is None:
        lines.add(f"{path} (re-export of an outside item)")
        return
    kind, inner = next(iter(item["inner"].items()))
    if kind == "module":
        lines.add(f"mod {path}")
        module(iid, path)
        return
    if kind == "use":
        target = inner.get("id")
        if inner.get("is_glob"):
            lines.add(f"use {path}::*  ({inner['source']})")
            return
        if target is None or str(target) not in idx:
            lines.add(f"pub use {inner['source']} as {path}")
            return
        return item_lines(target, path)
    if kind == "function":
        lines.add(f"{path}: {sig(inner)}")
        return
    lines.add(f"{kind} {path}")
    if kind in ("struct", "enum", "trait"):
        if kind == "enum":
            for v in inner["variants"]:
                lines.add(f"{path}::{idx[str(v)]['name']} (variant)")
        if kind == "struct":
            fields = inner["kind"].get("plain", {}).get("fields", []) if isinstance(inner["kind"], dict) else []
            for fid in fields:
                fi = idx.get(str(fid))
                if fi and fi.get("visibility") == "public":
                    lines.add(f"{path}.{fi['name']}: {ty(fi['inner']['struct_field'])}")
        if kind == "trait":
            for f in inner["items"]:
                fi = idx[str(f)]
                fk, fv = next(iter(fi["inner"].items()))
                lines.add(f"{path}::{fi['name']}: {sig(fv) if fk == 'function' else fk}")
        for im in inner.get("impls", []):
            imi = idx.get(str(im))
            if not imi:
                continue
            imp = imi["inner"]["impl"]
            if imp.get("is_synthetic") or imp.get("blanket_impl"):
                continue
            if imp.get("trait") is None:
                for f in imp["items"]:
                    fi = idx.get(str(f))
                    if fi and fi.get("visibility") == "public":
                        fk, fv = next(iter(fi["inner"].items()))
                        dep = " #[deprecated]" if fi.get("deprecation") else ""
                        lines.add(f"{path}::{fi['name']}: {sig(fv) if fk == 'function' else fk}{dep}")
            else:
                lines.add(f"impl {ty({'resolved_path': imp['trait']})} for {path}")

def module(mid, path):
    for it in idx[str(mid)]["inner"]["module"]["items"]:
        item = idx.get(str(it))
        if item is None:
            continue
        kind = next(iter(item["inner"]))
        if kind == "impl":
            continue
        if kind != "use" and item.get("visibility") != "public":
            continue
        if kind == "use" and item.get("visibility") != "public":
            continue
        name = item["inner"]["use"]["name"] if kind == "use" else item["name"]
        item_lines(it, f"{path}::{name}")

root = idx[str(d["root"])]
module(d["root"], root["name"])
lines.clear()
module(d["root"], root["name"])
print("\n".join(sorted(lines)))
