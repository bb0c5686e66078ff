#!/usr/bin/env python3
"""A monitoring plugin's output against the monitoring-plugins guidelines,
strictly: reads the output on stdin, the exit code as argv[1], the
plugin's name (KAGENT) as argv[2]; prints what is wrong and exits 1, or
prints the perfdata labels and exits 0.

Written from the guidelines' grammar, not from kagent's code:
  first line     SERVICE STATE - text [| perfdata]
  long output    the lines after it; the first '|' in them starts more
                 perfdata, which runs to the end of the output
  perfdata       space-separated 'label'=value[UOM];[warn];[crit];[min];[max]
  label          quoted with single quotes when it holds a blank or '=',
                 a quote inside doubled; no '|', no newline
  value          a number: [-]digits[.digits], no exponent
  UOM            s ms us % B KB MB GB TB c, or none
  warn, crit     ranges: [@][start:][end], start may be ~
  min, max       numbers; empty fields may be dropped from the end
  state          OK 0, WARNING 1, CRITICAL 2, UNKNOWN 3
"""
import re
import sys

NUM = r"-?[0-9]+(?:\.[0-9]+)?"
RANGE = re.compile(r"^@?(?:(?:~|%s):)?(?:%s)?$" % (NUM, NUM))
VALUE = re.compile(r"^(%s)(s|ms|us|%%|B|KB|MB|GB|TB|c)?$" % NUM)
STATES = {"OK": 0, "WARNING": 1, "CRITICAL": 2, "UNKNOWN": 3}
errors = []


def err(msg):
    errors.append(msg)


def labels_and_rest(text):
    """Splits perfdata into (label, rest) items, honouring quotes."""
    i, n, out = 0, len(text), []
    while i < n:
        while i < n and text[i] in " \n":
            i += 1
        if i >= n:
            break
        if text[i] == "'":
            j, label = i + 1, ""
            while True:
                if j >= n:
                    err("unterminated quoted label at %r" % text[i:i + 40])
                    return out
                if text[j] == "'":
                    if j + 1 < n and text[j + 1] == "'":
                        label += "'"
                        j += 2
                        continue
                    break
                label += text[j]
                j += 1
            j += 1
            if label == "":
                err("empty quoted label")
        else:
            j = i
            while j < n and text[j] not in "= \n'":
                j += 1
            label = text[i:j]
            if label == "":
                err("empty label at %r" % text[i:i + 40])
            if " " in label or "=" in label:
                err("unquoted label with a blank or '=': %r" % label)
        if j >= n or text[j] != "=":
            err("label %r not followed by '='" % label)
            return out
        k = j + 1
        while k < n and text[k] not in " \n":
            k += 1
        out.append((label, text[j + 1:k]))
        i = k
    return out


def check_item(label, rest):
    if "|" in label or "\n" in label:
        err("label %r holds '|' or a newline" % label)
    fields = rest.split(";")
    if len(fields) > 5:
        err("%s: more than 5 fields: %r" % (label, rest))
        return
    m = VALUE.match(fields[0])
    if not m:
        err("%s: bad value/UOM %r" % (label, fields[0]))
        return
    value = float(m.group(1))
    for name, f in zip(("warn", "crit"), fields[1:3]):
        if f and not RANGE.match(f):
            err("%s: bad %s range %r" % (label, name, f))
    lim = {}
    for name, f in zip(("min", "max"), fields[3:5]):
        if f and not re.match("^%s$" % NUM, f):
            err("%s: bad %s %r" % (label, name, f))
        elif f:
            lim[name] = float(f)
    if "min" in lim and value < lim["min"]:
        err("%s: value %s below min %s" % (label, value, lim["min"]))
    if "max" in lim and value > lim["max"]:
        err("%s: value %s above max %s" % (label, value, lim["max"]))


def main():
    rc, name = int(sys.argv[1]), sys.argv[2]
    out = sys.stdin.read()
    if not out.endswith("\n"):
        err("output does not end with a newline")
    lines = out.split("\n")
    first = lines[0]
    if len(first.encode()) >= 4096:
        err("first line is %d bytes, Nagios keeps 4096" % len(first.encode()))
    text, _, perf = first.partition("|")
    m = re.match(r"^%s (OK|WARNING|CRITICAL|UNKNOWN) - \S" % name, text)
    if not m:
        err("first line is no status line: %r" % first[:120])
    elif STATES[m.group(1)] != rc:
        err("state %s but exit %d" % (m.group(1), rc))
    if rc not in STATES.values():
        err("exit %d is no plugin state" % rc)
    rest = "\n".join(lines[1:])
    _, bar, more = rest.partition("|")
    items = labels_and_rest(perf) + (labels_and_rest(more) if bar else [])
    seen = set()
    for label, r in items:
        if label in seen:
            err("label %r twice" % label)
        seen.add(label)
        check_item(label, r)
    if errors:
        for e in errors:
            print("perfdata/plugin: " + e)
        sys.exit(1)
    for label, r in items:
        print("%s=%s" % (label, r))


main()
