#!/usr/bin/python3
"""Time python3-feedparser's parse calls alone (files are read into memory first).

Usage: feedparser-timing.py FEED_DIR
Prints: documents, bytes, items, wall and CPU seconds spent inside feedparser.parse.
"""
import os
import sys
import time
import warnings

import feedparser

warnings.simplefilter("ignore")
folder = sys.argv[1]
documents = []
for name in sorted(os.listdir(folder)):
    with open(os.path.join(folder, name), "rb") as f:
        documents.append(f.read())

items = 0
start, start_cpu = time.perf_counter(), time.process_time()
for data in documents:
    items += len(feedparser.parse(data).entries)
elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
print("feedparser %s: parsed %d documents (%.1f MB), %d items in %.3f s (cpu %.3f s)"
      % (feedparser.__version__, len(documents), sum(map(len, documents)) / 1048576.0, items, elapsed, cpu))
print("RESULT %d %d %d %.6f %.6f" % (len(documents), sum(map(len, documents)), items, elapsed, cpu))
