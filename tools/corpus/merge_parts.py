#!/usr/bin/env python3
"""Merges the part files the gatherers wrote (real/parts/*.jsonl) into real/{lang}.jsonl, ordered by id."""
import glob, json, os
REAL = os.path.join(os.path.dirname(__file__), "..", "..", "data", "classification", "real")
items = {}
for path in sorted(glob.glob(os.path.join(REAL, "*.jsonl")) + glob.glob(os.path.join(REAL, "parts", "*.jsonl"))):
    for line in open(path, encoding="utf-8"):
        if line.strip():
            item = json.loads(line)
            items.setdefault(item["id"], item)
for lang in sorted({i["lang"] for i in items.values()}):
    with open(os.path.join(REAL, f"{lang}.jsonl"), "w", encoding="utf-8") as out:
        for item in sorted((i for i in items.values() if i["lang"] == lang), key=lambda i: i["id"]):
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
urls = [i["url"] for i in items.values()]
assert len(urls) == len(set(urls)), "duplicate urls"
print(len(items), "items")
