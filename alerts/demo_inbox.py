"""The demo province's notification channel: `demo://<official>` appends to a local file.

An Apprise custom plugin, so the demo goes through the real delivery path (outbox, attempts,
per-URL results) without any mail server; `make run` shows the messages in
instance/demo-inbox.jsonl. A province's real officials have real URLs (mailto://, tgram://...).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from apprise.decorators import notify

from queries.settings import REPO_ROOT


def inbox_path() -> Path:
    return Path(os.environ.get("DEMO_INBOX", str(REPO_ROOT / "instance" / "demo-inbox.jsonl")))


@notify(on="demo", name="Demo inbox")
def deliver_to_inbox(
    body: str, title: str, notify_type: str, meta: dict[str, Any], *args: Any, **kwargs: Any
) -> bool:
    path = inbox_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {"to": meta.get("host", ""), "type": str(notify_type), "title": title, "body": body}
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return True
