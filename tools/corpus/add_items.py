#!/usr/bin/env python3
"""Appends hand-labelled excerpts of real articles to a corpus part file.

Why a script: the excerpts are copied by hand from stored pages, and this is the one place that
checks each item against data/classification/README.md (length, labels, one item per URL across
every part) before it lands, so a typo fails loudly instead of skewing the corpus.

Usage:
  add_items.py PART.jsonl < items.txt     items separated by a line '===':
      id: en-1001
      url: https://...
      month: 2021-05            (or empty)
      lang: en
      labels: 5g-ban, blacklist (or empty)
      hard_negative: true|false
      title: ...
      note: ...                 (optional)
      ---
      the excerpt, verbatim, any number of lines
  add_items.py --stats [PART.jsonl ...]
EXTRA_TOPICS=a,b allows labels of user topics (data/classification/examples/).
"""
import glob, json, os, sys
from urllib.parse import urlparse

TOPICS = {"5g-ban", "blacklist", "divestment"} | set(filter(None, os.environ.get("EXTRA_TOPICS", "").split(",")))
REAL = os.path.join(os.path.dirname(__file__), "..", "..", "data", "classification", "real")


def all_items():
    for path in sorted(glob.glob(os.path.join(REAL, "**", "*.jsonl"), recursive=True)):
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    yield path, json.loads(line)


def source_of(url):
    host = urlparse(url).hostname or ""
    return host[4:] if host.startswith("www.") else host


def parse(block):
    head, sep, text = block.partition("\n---\n")
    if not sep:
        raise ValueError("no '---' line between the fields and the text")
    fields = {}
    for line in head.strip().splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    labels = [l.strip() for l in fields.get("labels", "").split(",") if l.strip()]
    item = {
        "id": fields["id"], "url": fields["url"], "source": source_of(fields["url"]),
        "month": fields.get("month", ""), "lang": fields["lang"], "title": fields.get("title", ""),
        "text": text.strip(), "labels": labels,
        "hard_negative": fields.get("hard_negative", "false").lower() == "true",
    }
    if fields.get("note"):
        item["note"] = fields["note"]
    bad = [l for l in labels if l not in TOPICS]
    if bad:
        raise ValueError(f"unknown label(s) {bad}")
    if item["hard_negative"] and labels:
        raise ValueError("a hard negative has no labels")
    if not 300 <= len(item["text"]) <= 3000:
        raise ValueError(f"text is {len(item['text'])} characters; 300-3000 allowed")
    if item["month"] and (len(item["month"]) != 7 or item["month"][4] != "-"):
        raise ValueError("month is YYYY-MM or empty")
    if not item["url"].startswith("http"):
        raise ValueError("url is not http(s)")
    return item


def stats(paths):
    items = [i for p, i in all_items() if not paths or os.path.abspath(p) in paths]
    by = {}
    for i in items:
        key = i["lang"]
        s = by.setdefault(key, {"n": 0, "hard_neg": 0, "none": 0, **{t: 0 for t in sorted(TOPICS)}})
        s["n"] += 1
        s["hard_neg"] += i["hard_negative"]
        s["none"] += not i["labels"]
        for l in i["labels"]:
            s[l] += 1
    for lang, s in sorted(by.items()):
        print(lang, s)
    print("total", len(items), "sites", len({i["source"] for i in items}))


def main():
    if sys.argv[1] == "--stats":
        stats({os.path.abspath(p) for p in sys.argv[2:]})
        return
    part = sys.argv[1]
    seen_urls = {i["url"] for _, i in all_items()}
    seen_ids = {i["id"] for _, i in all_items()}
    added = 0
    with open(part, "a", encoding="utf-8") as out:
        for block in sys.stdin.read().split("\n===\n"):
            if not block.strip():
                continue
            try:
                item = parse(block.strip("\n") + "\n")
            except (ValueError, KeyError) as e:
                print(f"REFUSED ({block.strip().splitlines()[0]}): {e}")
                continue
            if item["url"] in seen_urls or item["id"] in seen_ids:
                print(f"REFUSED {item['id']}: url or id already in the corpus")
                continue
            seen_urls.add(item["url"]); seen_ids.add(item["id"])
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
            added += 1
    print(f"added {added}")
    stats({os.path.abspath(part)})


if __name__ == "__main__":
    main()
