#!/usr/bin/env python3
"""Generate realistic feed documents for the parsing benchmark.

Each feed has 50 items with HTML content (paragraphs, links, images, entities, inline markup),
alternating RSS 2.0 (content:encoded, dc:creator, media:content) and Atom 1.0 (xhtml and html
content, xml:base), Dutch and English text. Deterministic for a given seed.

Usage: generate-feeds.py OUT_DIR [--feeds N] [--seed S]
"""
import argparse
import html
import os
import random

WORDS_NL = ("het kabinet besluit dat Chinese leveranciers zoals Huawei en ZTE worden geweerd uit het "
            "kernnetwerk van 5G operators moeten hun apparatuur vervangen binnen vijf jaar volgens de "
            "minister van Economische Zaken financiële gevolgen coöperatie België Italië één reëel").split()
WORDS_EN = ("the government decided that Chinese vendors such as Huawei and ZTE are banned from the core "
            "network of 5G operators must replace their equipment within five years according to the "
            "Commerce Department Entity List investors must divest TikTok sale forced divestment").split()


def sentence(rng, words, n):
    return " ".join(rng.choice(words) for _ in range(n)).capitalize() + "."


def item_html(rng, words, site, i):
    parts = []
    for p in range(rng.randint(4, 8)):
        text = html.escape(sentence(rng, words, rng.randint(25, 45)))
        if p % 2 == 0:
            text += f' Lees <a href="/{i}/meer-{p}?utm_source=rss&amp;x=1">meer</a> &amp; <strong>{rng.choice(words)}</strong>&nbsp;&mdash; &eacute;&euml;.'
        parts.append(f"<p>{text}</p>")
    parts.append(f'<p><img src="https://{site}/img/{i}.jpg" alt="foto {i}" width="640" height="360"/></p>')
    parts.append(f'<ul><li>{html.escape(sentence(rng, words, 8))}</li><li><em>{html.escape(sentence(rng, words, 6))}</em></li></ul>')
    return "".join(parts)


def rss(rng, n, words, lang):
    site = f"nieuws{n}.example"
    items = []
    for i in range(50):
        content = item_html(rng, words, site, i)
        items.append(f"""    <item>
      <title>{html.escape(sentence(rng, words, 9))}</title>
      <link>https://{site}/artikel/{n}-{i}</link>
      <guid isPermaLink="false">{site}-{i}</guid>
      <pubDate>{rng.choice(['Mon','Tue','Wed','Thu','Fri'])}, {rng.randint(1,28):02d} {rng.choice(['Jan','Mar','Jun','Oct'])} 2021 {rng.randint(0,23):02d}:{rng.randint(0,59):02d}:00 {rng.choice(['+0100','GMT','+0200','-0500','CET'])}</pubDate>
      <dc:creator>{rng.choice(['Marieke de Vries','Jan Jansen','Jane Doe'])}</dc:creator>
      <category>{rng.choice(words)}</category>
      <description>{html.escape(sentence(rng, words, 30))}</description>
      <content:encoded><![CDATA[{content}]]></content:encoded>
      <media:content url="https://{site}/img/{i}.jpg" medium="image" type="image/jpeg"/>
    </item>""")
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>Nieuws {n}</title>
    <link>https://{site}/</link>
    <atom:link rel="self" href="https://{site}/feed.xml" type="application/rss+xml"/>
    <language>{lang}</language>
    <lastBuildDate>Mon, 04 Jan 2021 10:00:00 +0100</lastBuildDate>
{chr(10).join(items)}
  </channel>
</rss>
"""


def atom(rng, n, words, lang):
    site = f"news{n}.example"
    entries = []
    for i in range(50):
        content = item_html(rng, words, site, i)
        if i % 2 == 0:
            body = f'<content type="html">{html.escape(content)}</content>'
        else:
            xhtml = content.replace("&nbsp;", "&#160;").replace("&mdash;", "&#8212;").replace("&eacute;", "&#233;").replace("&euml;", "&#235;")
            body = f'<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">{xhtml}</div></content>'
        entries.append(f"""  <entry xml:base="/archive/2021/">
    <title type="html">{html.escape(html.escape(sentence(rng, words, 9)))}</title>
    <link rel="alternate" type="text/html" href="{n}-{i}.html"/>
    <id>tag:{site},2021:{i}</id>
    <published>2021-0{rng.randint(1,9)}-{rng.randint(10,28)}T{rng.randint(10,23)}:{rng.randint(10,59)}:00{rng.choice(['Z','+01:00','-05:00'])}</published>
    <updated>2021-10-{rng.randint(10,28)}T{rng.randint(10,23)}:00:00Z</updated>
    <author><name>{rng.choice(['Jane Reporter','Piet Pers'])}</name></author>
    <summary>{html.escape(sentence(rng, words, 30))}</summary>
    {body}
  </entry>""")
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://{site}/" xml:lang="{lang}">
  <title>News {n}</title>
  <link rel="alternate" type="text/html" href="/"/>
  <link rel="self" href="/feed.atom"/>
  <id>tag:{site},2021:feed</id>
  <updated>2021-10-28T10:00:00Z</updated>
{chr(10).join(entries)}
</feed>
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--feeds", type=int, default=200)
    ap.add_argument("--seed", type=int, default=3)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)
    for n in range(args.feeds):
        words, lang = (WORDS_NL, "nl") if n % 3 else (WORDS_EN, "en")
        text = rss(rng, n, words, lang) if n % 2 == 0 else atom(rng, n, words, lang)
        ext = "xml" if n % 2 == 0 else "atom"
        with open(os.path.join(args.out, f"feed-{n:04d}.{ext}"), "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
