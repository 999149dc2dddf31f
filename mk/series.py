#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write the MCD series as git format-patch files.

The series is rebuilt from what the build uses, so that it cannot drift
from what is tested: the topic patches of patches/ and the files of the
overlay.  mk/series/series lists the patches in order.  A line

    patch NAME.patch      takes a topic patch of patches/ as it is;
    mcd NAME.msg          makes a patch from mk/series/NAME.msg.

A .msg file starts with header lines, then a blank line and the commit
message body:

    Subject: the subject line
    Add: PATH             a file of the overlay (or a directory of the
                          repository, ending in /), whole
    Add: PATH:TITLE       one section of a sectioned file (PATH: alone is
                          the part before the first section)
    Patch: NAME.patch     a topic patch folded into this one

Each patch of the series' own files also lists them in the MCD entry of
MAINTAINERS (patches/ adds the whole entry for the build).

Sectioned files are split at their section headings: "# == TITLE" in
the QAPI schema, "/* TITLE */" in C.  Two files follow the others: in
mcd/meson.build, a source of a files() list is left out until its file
is added; in mcd/trace-events, the events under "# FILE" are left out
until FILE is added.

At the end the tree must be the prepared tree (baseline, topic patches,
overlay) file for file, or no series is written.

usage: series.py BUILD_DIR
"""

import fnmatch
import os
import re
import shutil
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPEC = os.path.join(TOP, 'mk', 'series')
AUTHOR = 'QEMU MCD developers <qemu-mcd@localhost>'
# Each patch that adds files lists them in this MAINTAINERS entry.
MAINTAINERS_ENTRY = 'MCD debug server'
MARKERS = {'.json': re.compile(r'^# == (.+)$'),
           '.c': re.compile(r'^/\* (.+) \*/$')}


def die(msg):
    sys.exit('series: ' + msg)


def run(args, cwd, env=None, stdin=None):
    return subprocess.run(args, cwd=cwd, env=env, input=stdin, check=True,
                          stdout=subprocess.PIPE, text=True).stdout


def read(path):
    with open(path, encoding='utf-8') as f:
        return f.read()


def parse_topic(name):
    """Author, subject, body and diff of a topic patch."""
    text = read(os.path.join(TOP, 'patches', name))
    head, sep, rest = text.partition('\n---\n')
    if not sep:
        die(name + ': no "---" line')
    lines = head.split('\n')
    author = subject = None
    i = 0
    while lines[i]:
        if lines[i].startswith('From: '):
            author = lines[i][6:]
        elif lines[i].startswith('Subject: '):
            subject = re.sub(r'^\[PATCH[^]]*\] ', '', lines[i][9:])
        i += 1
    diff = rest[rest.index('diff --git '):]
    return author or AUTHOR, subject, '\n'.join(lines[i + 1:]).strip(), diff


def parse_msg(name):
    text = read(os.path.join(SPEC, name))
    head, _, body = text.partition('\n\n')
    msg = {'Subject': None, 'Add': [], 'Patch': []}
    for line in head.split('\n'):
        key, _, value = line.partition(': ')
        if key not in msg:
            die('%s: unknown header %r' % (name, key))
        if key == 'Subject':
            msg[key] = value
        else:
            msg[key].append(value)
    msg['Body'] = body.strip()
    return msg


def sections(path):
    """A sectioned file as [(title, text)], title None for its start."""
    marker = MARKERS[os.path.splitext(path)[1]]
    parts = [[None, []]]
    for line in read(os.path.join(TOP, path)).splitlines(keepends=True):
        m = marker.match(line.rstrip('\n'))
        if m and m.group(1) in SECTION_TITLES.get(path, ()):
            # A schema heading starts with the "##" line before it.
            opener = []
            if parts[-1][1] and parts[-1][1][-1] == '##\n':
                opener = [parts[-1][1].pop()]
            parts.append([m.group(1), opener])
        parts[-1][1].append(line)
    return [(t, ''.join(text)) for t, text in parts]


SECTION_TITLES = {}


def render(path, added):
    """The content of overlay file @path once the files @added are in."""
    parts = added[path]
    if parts == 'whole':
        text = read(os.path.join(TOP, path))
    else:
        text = ''.join(t for title, t in sections(path) if title in parts)
    if path == 'mcd/meson.build':
        out, in_files = [], False
        for line in text.splitlines(keepends=True):
            m = re.match(r"^\s*'([^']+)',?$", line)
            if in_files and m and 'mcd/' + m.group(1) not in added:
                continue
            in_files = (in_files or 'files(' in line) and ')' not in line
            out.append(line)
        text = ''.join(out)
    elif path == 'mcd/trace-events':
        out, keep = [], True
        for line in text.splitlines(keepends=True):
            m = re.match(r'^# (\S+\.c)$', line)
            if m:
                keep = 'mcd/' + m.group(1) in added
            if keep:
                out.append(line)
        text = ''.join(out).rstrip('\n') + '\n'
    return text


def maintainers(prepared, added):
    """MAINTAINERS with the MCD entry listing only the files @added."""
    lines = read(os.path.join(prepared, 'MAINTAINERS')).split('\n')
    start = lines.index(MAINTAINERS_ENTRY)
    end = lines.index('', start)
    entry = []
    for line in lines[start:end]:
        if line.startswith('F: '):
            pattern = line[3:] + ('*' if line.endswith('/') else '')
            if not any(fnmatch.fnmatch(f, pattern) for f in added):
                continue
        entry.append(line)
    if not any(line.startswith('F: ') for line in entry):
        return '\n'.join(lines[:start] + lines[end + 1:])
    return '\n'.join(lines[:start] + entry + lines[end:])


def without(diff, path):
    """@diff without its part for @path."""
    parts = re.split(r'(?m)^(?=diff --git )', diff)
    return ''.join(p for p in parts
                   if not p.startswith('diff --git a/%s ' % path))


def tracked(directory):
    out = run(['git', 'ls-files', '--', directory], TOP)
    return [f for f in out.split('\n') if f]


def main():
    if len(sys.argv) != 2:
        die('usage: series.py BUILD_DIR')
    build = os.path.abspath(sys.argv[1])
    prepared = os.path.join(build, 'qemu-src')
    git_dir = os.path.join(build, 'series-git')
    out_dir = os.path.join(build, 'series')

    entries = []
    # The cover letter names patches, not numbers: [[0028]] is the
    # number of a topic patch, [[monitor]] that of 04-monitor.msg.
    numbers = {}
    for line in read(os.path.join(SPEC, 'series')).split('\n'):
        line = line.split('#')[0].strip()
        if line:
            kind, name = line.split()
            entries.append((kind, parse_msg(name) if kind == 'mcd' else name))
            key = name[:4] if kind == 'patch' else name[3:-len('.msg')]
            numbers[key] = str(len(entries))
    for kind, e in entries:
        if kind == 'mcd':
            for a in e['Add']:
                path, _, title = a.partition(':')
                if _:
                    SECTION_TITLES.setdefault(path, set()).add(title)

    # Every topic patch and every overlay file goes into the series once.
    topics = [e for k, e in entries if k == 'patch']
    topics += [p for k, e in entries if k == 'mcd' for p in e['Patch']]
    series = [p for p in read(os.path.join(TOP, 'patches', 'series')).split('\n')
              if p and not p.startswith('#')]
    if sorted(topics) != sorted(series):
        die('mk/series/series does not take each of patches/series once')

    shutil.rmtree(git_dir, ignore_errors=True)
    shutil.rmtree(out_dir, ignore_errors=True)
    run(['git', 'clone', '-q', prepared, git_dir], build)
    base = run(['git', 'rev-parse', 'HEAD'], git_dir).strip()
    date = run(['git', 'log', '-1', '--format=%cI'], TOP).strip()
    name, email = re.match(r'(.*) <(.*)>', AUTHOR).groups()
    # The cover letter is from whoever git is configured for: us.
    run(['git', 'config', 'user.name', name], git_dir)
    run(['git', 'config', 'user.email', email], git_dir)
    env = dict(os.environ, GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date,
               GIT_COMMITTER_NAME=name, GIT_COMMITTER_EMAIL=email)

    added = {}
    for kind, e in entries:
        if kind == 'patch':
            author, subject, body, diff = parse_topic(e)
            diffs = [diff]
        else:
            author, subject, body = AUTHOR, e['Subject'], e['Body']
            diffs = [without(parse_topic(p)[3], 'MAINTAINERS')
                     for p in e['Patch']]
            for a in e['Add']:
                path, colon, title = a.partition(':')
                files = tracked(path) if path.endswith('/') else [path]
                for f in files:
                    if not colon:
                        added[f] = 'whole'
                    else:
                        added.setdefault(f, set()).add(title or None)
                        added[f].add(None)
            for f in added:
                dest = os.path.join(git_dir, f)
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                text = render(f, added)
                if not os.path.exists(dest) or read(dest) != text:
                    with open(dest, 'w', encoding='utf-8') as fd:
                        fd.write(text)
                    shutil.copymode(os.path.join(TOP, f), dest)
            with open(os.path.join(git_dir, 'MAINTAINERS'), 'w',
                      encoding='utf-8') as fd:
                fd.write(maintainers(prepared, added))
        if not subject or 'Signed-off-by: ' not in body:
            die('%s: needs a subject and a Signed-off-by' % subject)
        for diff in diffs:
            run(['git', 'apply', '--whitespace=nowarn', '-'], git_dir,
                stdin=diff)
        run(['git', 'add', '-A'], git_dir)
        run(['git', 'commit', '-q', '--author', author, '-F', '-'], git_dir,
            env=env, stdin=subject + '\n\n' + body + '\n')

    # The end of the series is the tree the build uses.
    changed = run(['git', 'diff', '--name-only', base, 'HEAD'], git_dir)
    for f in changed.split():
        if f in added and f.startswith('contrib/'):
            continue
        if not os.path.exists(os.path.join(prepared, f)) or \
           read(os.path.join(prepared, f)) != read(os.path.join(git_dir, f)):
            die('%s differs from the prepared tree' % f)
    manifest = [f for f in read(os.path.join(TOP, 'overlay.manifest')).split('\n')
                if f and not f.startswith('#')]
    for f in manifest:
        if added.get(f) is None:
            die('%s of overlay.manifest is in no patch' % f)

    run(['git', 'format-patch', '-q', '--cover-letter', '--no-signature',
         '--thread=shallow', '-o', out_dir, base + '..HEAD'], git_dir)
    cover_path = os.path.join(out_dir, '0000-cover-letter.patch')
    cover = read(cover_path)
    letter = read(os.path.join(SPEC, 'cover-letter.txt'))
    for key in set(re.findall(r'\[\[([^]]*)\]\]', letter)):
        if key not in numbers:
            die('cover-letter.txt: no patch %s in mk/series/series' % key)
        letter = letter.replace('[[%s]]' % key, numbers[key])
    title, _, blurb = letter.partition('\n\n')
    cover = cover.replace('*** SUBJECT HERE ***', title.strip())
    cover = cover.replace('*** BLURB HERE ***', blurb.strip())
    with open(cover_path, 'w', encoding='utf-8') as fd:
        fd.write(cover)
    n = len(os.listdir(out_dir)) - 1
    print('series: %d patches and a cover letter in %s' % (n, out_dir))


if __name__ == '__main__':
    main()
