#!/usr/bin/env python3
"""The README's compatibility table is what `kubectl kovn compat` prints,
so that the documentation cannot drift from the table the controller and
the webhook use.

    check_compat_table.py KUBECTL_KOVN README"""
import subprocess
import sys

cli, readme = sys.argv[1], sys.argv[2]
printed = subprocess.run([cli, "compat"], check=True, capture_output=True,
                         text=True).stdout
text = open(readme).read()
begin, end = "<!-- compat-table-begin -->\n", "<!-- compat-table-end -->"
if begin not in text or end not in text:
    sys.exit("README has no compat-table markers")
documented = text.split(begin, 1)[1].split(end, 1)[0]
if documented != printed:
    sys.exit("README's compatibility table differs from `kubectl kovn compat`;"
             " paste its output between the markers")
print("README's table matches (%d rows)" % (printed.count("\n") - 2))
