"""Alertmanager's configuration as the kube-prometheus-stack release passes it, checked by
Alertmanager's own amtool: `amtool check-config` (receivers, SNS settings, matchers, templates),
then the notification rendered for a firing alert whose text holds quotes, a backslash and a newline
must be the AWS Chatbot custom-notification JSON the alert topic's Slack channel understands, with
that text intact.

Usage: python3 scripts/verify_alertmanager.py <amtool> <kube-prometheus-stack values JSON>...
"""
import json
import os
import subprocess
import sys
import tempfile

import yaml


# A firing alert as Alertmanager hands it to a template (template.Data), with text JSON must escape.
SUMMARY = 'API 5xx ratio above 5% ("mindhit-api", C:\\ path)'
ALERT_DATA = {
    "receiver": "alert-topic", "status": "firing", "externalURL": "http://alertmanager.monitoring:9093",
    "groupLabels": {"alertname": "MindhitApiHighErrorRate"}, "commonLabels": {"alertname": "MindhitApiHighErrorRate", "severity": "critical"},
    "commonAnnotations": {},
    "alerts": [{"status": "firing", "labels": {"alertname": "MindhitApiHighErrorRate", "severity": "critical"},
                "annotations": {"summary": SUMMARY, "description": "first line\nsecond line"},
                "startsAt": "2026-11-24T00:00:00Z", "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "http://prometheus", "fingerprint": "0"}],
}


def check(amtool, values_file):
    with open(values_file) as handle:
        alertmanager = json.load(handle)["alertmanager"]
    with tempfile.TemporaryDirectory() as work:
        for name, text in alertmanager["templateFiles"].items():
            with open(os.path.join(work, name), "w") as handle:
                handle.write(text)
        # The chart mounts templateFiles beside the config; here they are beside it in the work dir.
        config = {**alertmanager["config"], "templates": [os.path.join(work, "*.tmpl")]}
        config_file = os.path.join(work, "alertmanager.yaml")
        with open(config_file, "w") as handle:
            yaml.safe_dump(config, handle)
        result = subprocess.run([amtool, "check-config", config_file], capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(f"{values_file}: amtool check-config refused the Alertmanager configuration:\n{result.stdout}{result.stderr}")
        (sns,) = [c for r in config["receivers"] for c in r.get("sns_configs", [])]
        data_file = os.path.join(work, "alert.json")
        with open(data_file, "w") as handle:
            json.dump(ALERT_DATA, handle)
        rendered = {}
        for field in ("message", "subject"):
            result = subprocess.run([amtool, "template", "render", f"--template.glob={os.path.join(work, '*.tmpl')}", f"--template.text={sns[field]}", f"--template.data={data_file}"],
                                    capture_output=True, text=True)
            if result.returncode != 0:
                sys.exit(f"{values_file}: the SNS {field} template does not render:\n{result.stderr}")
            rendered[field] = result.stdout
    try:
        message = json.loads(rendered["message"])
    except json.JSONDecodeError as error:
        sys.exit(f"{values_file}: the SNS message is not JSON ({error}):\n{rendered['message']}")
    content = message.get("content", {})
    expected = {"version": "1.0", "source": "custom", "title": "[FIRING:1] MindhitApiHighErrorRate"}
    actual = {"version": message.get("version"), "source": message.get("source"), "title": content.get("title")}
    if actual != expected or SUMMARY not in content.get("description", "") or "first line\nsecond line" not in content["description"]:
        sys.exit(f"{values_file}: the SNS message is not the Chatbot custom notification of the alert (expected {expected}, the summary and "
                 f"description intact): {message}")
    print(f"alertmanager ok: {os.path.basename(values_file)}: check-config passed; a firing alert renders as a Chatbot custom notification "
          f"titled {content['title']!r}, subject {rendered['subject'].strip()!r}")


if __name__ == "__main__":
    for values in sys.argv[2:]:
        check(sys.argv[1], values)
