#!/usr/bin/env python3
"""The Grafana dashboard (deploy/grafana/kovn-dashboard.json) cannot drift
from the metrics kovn exports.

usage: check_dashboard.py SRC_DIR DASHBOARD_JSON

The exported families are read from the C sources, starting nothing: every
call of metrics_set() or metrics_set_histogram() names its family as a
string literal, or passes its own parameter on for a wrapper (such as
controller/metrics.c's set_gauge()) whose callers then must.  A name that
is neither is a failure, so a metric cannot slip past this check.

Then:
  - every exported family appears in some panel's expression;
  - every metric an expression (or a template variable) names is exported,
    histograms as their _bucket, _sum and _count series;
  - every panel queries the dashboard's Prometheus data source variable,
    ids are unique and each non-row panel has at least one expression;
  - with promtool on PATH, every expression parses as PromQL (as a
    recording rule, Grafana's variables replaced by plain values).
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

METRIC_FUNCS = {"metrics_set": False, "metrics_set_histogram": True}
NAME_RE = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
# A function definition in the OVS style: the name at the start of a line.
DEF_RE = re.compile(r"^(\w+)\(([^)]*)\)\s*\{", re.M)
PROMQL_WORDS = {
    "by", "without", "on", "ignoring", "group_left", "group_right", "bool",
    "and", "or", "unless", "offset", "inf", "nan",
}


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


def second_arg(text, start):
    """The source text of the second argument of the call whose '(' is at
    'start', and whether it is a single string literal."""
    depth, i, args, cur = 0, start, [], ""
    while i < len(text):
        c = text[i]
        if c == '"':
            j = i + 1
            while text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            cur += text[i:j + 1]
            i = j + 1
            continue
        if c in "([{":
            depth += 1
            if depth > 1:
                cur += c
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                args.append(cur.strip())
                break
            cur += c
        elif c == "," and depth == 1:
            args.append(cur.strip())
            cur = ""
        else:
            cur += c
        i += 1
    return args[1] if len(args) > 1 else None


def enclosing_function(text, pos):
    """Name and parameter text of the function definition around 'pos'."""
    found = None
    for m in DEF_RE.finditer(text, 0, pos):
        found = m
    return (found.group(1), found.group(2)) if found else (None, "")


def exported_families(src_dir):
    sources = {}
    for root, _, files in os.walk(src_dir):
        for f in files:
            if f.endswith(".c"):
                path = os.path.join(root, f)
                with open(path, encoding="utf-8") as fh:
                    sources[path] = strip_comments(fh.read())

    families, errors = {}, []
    funcs = dict(METRIC_FUNCS)  # name -> is a histogram
    done = set()
    while True:
        new = {}
        for path, text in sources.items():
            for fn, hist in funcs.items():
                for m in re.finditer(r"\b%s\s*\(" % re.escape(fn), text):
                    call = m.end() - 1
                    # At the start of a line: the definition, not a call.
                    if text.rfind("\n", 0, m.start()) + 1 == m.start():
                        continue
                    name, params = enclosing_function(text, m.start())
                    arg = second_arg(text, call)
                    key = (path, m.start())
                    if key in done or arg is None:
                        continue
                    done.add(key)
                    lit = re.fullmatch(r'"(%s)"' % NAME_RE, arg or "")
                    if lit:
                        families[lit.group(1)] = hist or \
                            families.get(lit.group(1), False)
                    elif name and re.search(r"\b%s\b" % re.escape(arg),
                                            params):
                        new[name] = hist  # A wrapper: its callers name it.
                    else:
                        errors.append("%s: %s(..., %s, ...) in %s(): not a "
                                      "metric name this check can read"
                                      % (os.path.relpath(path), fn, arg,
                                         name))
        new = {k: v for k, v in new.items() if k not in funcs}
        if not new:
            break
        funcs.update(new)
    return families, errors


def promql_metrics(expr):
    """The metric names a PromQL expression selects."""
    e = re.sub(r'"(?:[^"\\]|\\.)*"', " ", expr)  # Strings.
    e = re.sub(r"\{[^}]*\}", " ", e)  # Label matchers.
    e = re.sub(r"\[[^\]]*\]", " ", e)  # Ranges.
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*"
               r"\([^)]*\)", " ", e)
    e = re.sub(r"(?<![\w.])\d+(\.\d+)?([eE][+-]?\d+)?(?![\w.])", " ", e)
    names = set()
    for m in re.finditer(r"(%s)(\s*\()?" % NAME_RE, e):
        if m.group(2) or m.group(1).lower() in PROMQL_WORDS:
            continue  # A function or a keyword.
        names.add(m.group(1))
    return names


def series_of(families):
    """Every series name a query may use -> its family."""
    series = {}
    for name, hist in families.items():
        if hist:
            for suffix in ("_bucket", "_sum", "_count"):
                series[name + suffix] = name
        else:
            series[name] = name
    return series


def promql_parses(exprs):
    """Errors promtool finds in 'exprs', or None without promtool."""
    promtool = shutil.which("promtool")
    if not promtool:
        return None
    rules = []
    for i, expr in enumerate(exprs):
        expr = expr.replace("$__rate_interval", "5m")
        expr = re.sub(r"\$\{?\w+\}?", ".*", expr)
        rules.append({"record": "kovn:dashboard:%d" % i, "expr": expr})
    # JSON is YAML: the rules file needs no YAML writer.
    with tempfile.NamedTemporaryFile("w", suffix=".yml") as f:
        json.dump({"groups": [{"name": "dashboard", "rules": rules}]}, f)
        f.flush()
        r = subprocess.run([promtool, "check", "rules", f.name],
                           capture_output=True, text=True)
    return [] if r.returncode == 0 else [r.stdout + r.stderr]


def walk_panels(panels):
    for p in panels:
        yield p
        yield from walk_panels(p.get("panels", []))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src_dir, dashboard = sys.argv[1], sys.argv[2]
    families, errors = exported_families(src_dir)
    if len(families) < 10:
        errors.append("only %d metric families found in %s: is the parser "
                      "still right?" % (len(families), src_dir))
    series = series_of(families)

    with open(dashboard, encoding="utf-8") as f:
        dash = json.load(f)
    if not isinstance(dash.get("schemaVersion"), int):
        errors.append("no schemaVersion")
    variables = {v.get("name"): v for v in
                 dash.get("templating", {}).get("list", [])}
    ds = variables.get("datasource")
    if not ds or ds.get("type") != "datasource" or \
            ds.get("query") != "prometheus":
        errors.append("no Prometheus data source variable 'datasource'")

    used, ids, n_panels, exprs = set(), set(), 0, []

    def check_expr(where, expr):
        exprs.append(expr)
        for name in sorted(promql_metrics(expr)):
            if name in series:
                used.add(series[name])
            elif name in families:
                errors.append("%s: %s is a histogram: query %s_bucket, _sum "
                              "or _count" % (where, name, name))
            else:
                errors.append("%s: %s is not a metric kovn exports"
                              % (where, name))

    for p in walk_panels(dash.get("panels", [])):
        where = "panel %r" % p.get("title")
        if p.get("id") in ids:
            errors.append("%s: id %s used twice" % (where, p.get("id")))
        ids.add(p.get("id"))
        if p.get("type") == "row":
            continue
        n_panels += 1
        targets = p.get("targets", [])
        if not targets:
            errors.append("%s: no queries" % where)
        for t in [p] + targets:
            uid = (t.get("datasource") or {}).get("uid")
            if uid != "${datasource}":
                errors.append("%s: data source %r, not ${datasource}"
                              % (where, uid))
        for t in targets:
            if not t.get("expr"):
                errors.append("%s: query %s has no expr"
                              % (where, t.get("refId")))
            else:
                check_expr(where, t["expr"])

    for name, v in variables.items():
        query = v.get("query")
        if v.get("type") == "query":
            text = query.get("query", "") if isinstance(query, dict) \
                else query or ""
            m = re.fullmatch(r"\s*label_values\(\s*(%s)\s*,\s*\w+\s*\)\s*"
                             % NAME_RE, text)
            if m:
                check_expr("variable %s" % name, m.group(1))
            else:
                check_expr("variable %s" % name, text)

    for name in sorted(set(families) - used):
        errors.append("%s is exported but on no panel" % name)
    parsed = promql_parses(exprs)
    if parsed is None:
        print("promtool not found: PromQL syntax not checked")
    else:
        errors += parsed
    if errors:
        sys.exit("%s:\n  %s" % (dashboard, "\n  ".join(errors)))
    print("%d metric families, all on the dashboard's %d panels"
          % (len(families), n_panels))


if __name__ == "__main__":
    main()
