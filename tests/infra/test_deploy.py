"""deploy/: every metric the alert rules and the dashboard query is one the code registers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from prometheus_client import REGISTRY, CollectorRegistry

import api.starter  # noqa: F401 - registers the workflow-start counter
import cli.dispatcher  # noqa: F401 - registers the callback counters
import infra.metrics  # noqa: F401 - registers the external-call histogram
from api.app import create_app
from infra.gauges import ReadModelGauges
from infra.settings import Settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
SUFFIXES = {"counter": ["_total", "_created"], "histogram": ["_bucket", "_count", "_sum", "_created"],
            "gauge": [""], "summary": ["_count", "_sum"]}
# PromQL words that look like metric names (functions, keywords, label names after `by`).
PROMQL = {"sum", "max", "min", "rate", "increase", "histogram_quantile", "by", "without", "absent", "time",
          "or", "and", "le", "status", "reason", "outbox", "system", "operation", "outcome", "handler"}


def registered() -> set[str]:
    app = create_app(Settings(database_url="sqlite://"))
    app.build_middleware_stack()  # the request metrics are made with the middleware, as in each API process
    gauges = CollectorRegistry()
    gauges.register(ReadModelGauges())
    names = set()
    for registry in (REGISTRY, gauges):
        for family in registry.collect():
            names.update(family.name + s for s in SUFFIXES.get(family.type, [""]))
            names.update(sample.name for sample in family.samples)
    return names


def queried(expr: str) -> set[str]:
    expr = re.sub(r'"[^"]*"', "", expr)  # label values
    expr = re.sub(r"\[[^\]]*\]", "", expr)  # ranges
    words = set(re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", expr))
    return {w for w in words if w not in PROMQL and not w.isdigit()}


def alert_exprs() -> list[str]:
    rules = yaml.safe_load((DEPLOY / "prometheus/alerts.yml").read_text())
    return [r["expr"] for g in rules["groups"] for r in g["rules"]]


def dashboard_exprs() -> list[str]:
    board = json.loads((DEPLOY / "grafana/dashboards/kelahiran.json").read_text())
    return [t["expr"] for p in board["panels"] for t in p["targets"]]


def test_every_metric_the_alerts_and_the_dashboard_query_exists():
    names = registered()
    for expr in alert_exprs() + dashboard_exprs():
        assert queried(expr) and queried(expr) <= names, (expr, queried(expr) - names)


def test_the_alerts_cover_deadlines_outboxes_and_dead_letters():
    text = " ".join(alert_exprs())
    for metric in ("kelahiran_deadlines_at_risk", 'outbox="pending_start"', 'outbox="hospital_event"',
                   "kelahiran_callbacks_dead_lettered_total"):
        assert metric in text


def test_the_check_would_catch_a_misspelt_metric():
    assert queried('sum(rate(kelahiran_bundle_total{status="x"}[5m]))') == {"kelahiran_bundle_total"}
    assert "kelahiran_bundle_total" not in registered()


def test_prometheus_scrapes_the_ports_the_processes_serve():
    config = yaml.safe_load((DEPLOY / "prometheus/prometheus.yml").read_text())
    ports = {(c["job_name"], sd["names"][0], sd["port"]) for c in config["scrape_configs"]
             for sd in c["dns_sd_configs"]}
    defaults = Settings()
    assert ("kelahiran-worker-sdk", "worker", defaults.worker_metrics_port) in ports
    assert ("kelahiran-callbacks", "callbacks", defaults.callbacks_port) in ports
    assert {("kelahiran-api", "api", 9100), ("kelahiran-worker", "worker", 9100)} <= ports
    assert config["rule_files"] == ["/etc/prometheus/alerts.yml"]
