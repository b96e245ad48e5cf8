"""Validates a metrics.json against docs/metrics.schema.json (JSON Schema draft 07).

usage: check_schema.py SCHEMA METRICS_JSON   exit 0 when valid, 1 with the first errors otherwise.
"""
import json
import sys

import jsonschema

with open(sys.argv[1]) as f:
    schema = json.load(f)
with open(sys.argv[2]) as f:
    document = json.load(f)
jsonschema.Draft7Validator.check_schema(schema)
errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(document), key=lambda e: list(e.path))
for error in errors[:5]:
    print("/".join(str(p) for p in error.path), ":", error.message)
sys.exit(1 if errors else 0)
