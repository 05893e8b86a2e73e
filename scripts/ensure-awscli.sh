#!/usr/bin/env bash
# The README's AWS CLI example is run by a test (tests/test_getting_started.py). Use the
# `aws` on PATH when there is one; otherwise install the AWS CLI (PyPI's awscli) into a
# virtual environment of its own, .tools/awscli, where the test looks next: in .venv it
# would pin a botocore that boto3 disagrees with.
set -euo pipefail
cd "$(dirname "$0")/.."
if command -v aws >/dev/null 2>&1 || [ -x .tools/awscli/bin/aws ]; then exit 0; fi
PYTHON="${PYTHON:-python3}"
"$PYTHON" -m venv .tools/awscli
.tools/awscli/bin/python -m pip install --quiet awscli
.tools/awscli/bin/aws --version
