"""A Singer target in the standard library only, strict as singer-python and target-jsonl are.

It applies singer-python's message rules (singer/messages.py parse_message: 'type' required and
read case-insensitively; RECORD needs stream and record, time_extracted must be an RFC 3339
date-time with a zone; SCHEMA needs stream, schema and key_properties (a list); STATE needs value),
target-jsonl's loop (a RECORD before its stream's SCHEMA is an error; each record is validated
against the latest SCHEMA; records are appended to <stream>.jsonl; the last STATE is printed on
stdout), and validates records against their JSON Schema for the keywords taps emit (type, format
date-time, properties, additionalProperties, required). Any violation exits non-zero with the
reason, as a real target would fail the pipeline.
"""
import datetime
import json
import os
import sys


def fail(msg):
    sys.stderr.write("target error: %s\n" % msg)
    sys.exit(1)


def parse_dt(text, where):
    if not isinstance(text, str):
        fail("%s is not a string" % where)
    t = text[:-1] + "+00:00" if text.endswith("Z") else text
    try:
        d = datetime.datetime.fromisoformat(t)
    except ValueError:
        fail("%s is not RFC 3339: %r" % (where, text))
    if d.tzinfo is None:
        fail("%s has no time zone: %r" % (where, text))


TYPES = {
    "null": lambda v: v is None,
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
}


def validate(value, schema, where):
    types = schema.get("type")
    if types is not None:
        types = types if isinstance(types, list) else [types]
        if not any(TYPES[t](value) for t in types):
            fail("%s: %r is not of type %s" % (where, value, types))
    if isinstance(value, str) and schema.get("format") == "date-time":
        parse_dt(value, where)
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for k in schema.get("required", []):
            if k not in value:
                fail("%s: required %s missing" % (where, k))
        for k, v in value.items():
            if k in props:
                validate(v, props[k], "%s.%s" % (where, k))
            elif schema.get("additionalProperties") is False:
                fail("%s: unexpected property %s" % (where, k))
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, v in enumerate(value):
            validate(v, schema["items"], "%s[%d]" % (where, i))


def main():
    out_dir = sys.argv[1]
    schemas = {}
    files = {}
    state = None
    counts = {}
    for n, line in enumerate(sys.stdin, 1):
        line = line.strip()
        if not line:
            continue
        try:
            msg = json.loads(line)
        except ValueError as e:
            fail("line %d is not JSON: %s" % (n, e))
        if not isinstance(msg, dict) or "type" not in msg:
            fail("line %d has no type" % n)
        kind = str(msg["type"]).upper()
        if kind == "SCHEMA":
            for k in ("stream", "schema", "key_properties"):
                if k not in msg:
                    fail("line %d: SCHEMA without %s" % (n, k))
            if not isinstance(msg["key_properties"], list):
                fail("line %d: key_properties is not a list" % n)
            for k in msg["key_properties"]:
                if k not in msg["schema"].get("properties", {}):
                    fail("line %d: key property %s not in schema" % (n, k))
            schemas[msg["stream"]] = msg["schema"]
        elif kind == "RECORD":
            for k in ("stream", "record"):
                if k not in msg:
                    fail("line %d: RECORD without %s" % (n, k))
            stream = msg["stream"]
            if stream not in schemas:
                fail("line %d: RECORD for %s before its SCHEMA" % (n, stream))
            if "time_extracted" in msg:
                parse_dt(msg["time_extracted"], "line %d time_extracted" % n)
            validate(msg["record"], schemas[stream], "line %d %s" % (n, stream))
            if stream not in files:
                files[stream] = open(os.path.join(out_dir, stream + ".jsonl"), "a")
            files[stream].write(json.dumps(msg["record"]) + "\n")
            counts[stream] = counts.get(stream, 0) + 1
        elif kind == "STATE":
            if "value" not in msg:
                fail("line %d: STATE without value" % n)
            state = msg["value"]
        elif kind == "ACTIVATE_VERSION":
            pass
        else:
            fail("line %d: unknown message type %s" % (n, msg["type"]))
    for f in files.values():
        f.close()
    json.dump({"counts": counts, "state": state}, sys.stdout)


main()
