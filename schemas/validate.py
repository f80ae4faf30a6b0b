#!/usr/bin/env python3
"""Validate JSON documents against one of patkit's report schemas.

Usage: validate.py SCHEMA.json < documents.json

stdin holds a JSON array of documents; each is validated against the schema (draft 2020-12,
with date-time formats checked). Exits 0 when all are valid, 1 with every error on stderr.
"""
import json
import sys

import jsonschema


def main() -> int:
    with open(sys.argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    documents = json.load(sys.stdin)
    bad = 0
    for index, document in enumerate(documents):
        for error in validator.iter_errors(document):
            bad += 1
            path = "/".join(str(p) for p in error.absolute_path)
            print(f"document {index} at /{path}: {error.message}", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
