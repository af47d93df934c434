#!/usr/bin/env python3
"""Keeps the code in the documentation identical to code the build compiles and runs.

docs/tutorial.md, docs/layers.md and docs/weights.md: a ```cpp block right after a line
`<!-- quote: tutorial/NN_name.cpp -->` (a path from docs/) must be that file, byte for byte. `--update` rewrites those blocks from the files.

docs/reference.md: signatures are ```c++ blocks (not checked); examples are ```cpp blocks, checked
against docs/tutorial/99_reference_examples.cpp:
  - a line `EXPR  // R` must appear there as `static_assert(EXPR == R);` (`static_assert(EXPR);`
    when R is `true`, `static_assert(!EXPR);` when R is `false`), or likewise as `check(...);` for
    what only exists at run time;
  - any other code line must appear there as it is (a trailing comment aside);
  - a ```text block must appear there verbatim (the expected output of a runtime check).
Whitespace runs compare equal to one space.

A name (`using X = ...;`, `constexpr T x{...};`) declared twice in either file must mean the same
thing both times, so that an example cannot be matched against another declaration of its name.

Every docs/tutorial/*.cpp must also be listed in docs/meson.build's tutorial_sources.

Usage: check_snippets.py [--update]
"""
import pathlib
import re
import sys

DOCS = pathlib.Path(__file__).resolve().parent
QUOTE = re.compile(r'^<!-- quote: (\S+) -->\n```cpp\n(.*?)^```\n', re.M | re.S)
FENCE = re.compile(r'^```(\S*)\n(.*?)^```\n', re.M | re.S)
RESULT = re.compile(r'^(?P<expr>.*?\S)\s+//\s+(?P<result>\S.*?)\s*$')


def squash(text):
    return re.sub(r'\s+', ' ', text).strip()


def check_tutorial(update, page='tutorial.md'):
    path = DOCS / page
    text = path.read_text(encoding='utf-8')
    problems, quoted = [], set()

    def replace(m):
        name = m.group(1)
        quoted.add(name)
        source = DOCS / name
        if not source.exists():
            problems.append(f'{page} quotes {name}, which does not exist')
            return m.group(0)
        code = source.read_text(encoding='utf-8')
        if m.group(2) != code:
            if update:
                return f'<!-- quote: {name} -->\n```cpp\n{code}```\n'
            problems.append(f'{page}: the quote of {name} differs from the file (run {sys.argv[0]} --update)')
        return m.group(0)

    new = QUOTE.sub(replace, text)
    if update and new != text:
        path.write_text(new, encoding='utf-8')
        print(f'updated {page}')
    if page != 'tutorial.md':
        return problems
    for source in sorted((DOCS / 'tutorial').glob('[0-9][0-9]_*.cpp')):
        name = source.relative_to(DOCS).as_posix()
        if name not in quoted and not source.name.startswith('99_'):
            problems.append(f'tutorial.md does not quote {name}')
    return problems


def check_reference():
    reference = (DOCS / 'reference.md').read_text(encoding='utf-8')
    examples_path = DOCS / 'tutorial' / '99_reference_examples.cpp'
    examples = examples_path.read_text(encoding='utf-8')
    flat = squash(examples)
    problems, count = [], 0
    for m in FENCE.finditer(reference):
        kind, body = m.group(1), m.group(2)
        if kind == 'text':
            count += 1
            if body not in examples:
                problems.append(f'reference.md: this output is not checked in {examples_path.name}:\n{body}')
            continue
        if kind != 'cpp':
            continue
        for line in body.splitlines():
            code = line.strip()
            if not code or code.startswith('//'):
                continue
            count += 1
            r = RESULT.match(code)
            if r and not r.group('expr').endswith((';', ',', '{', '}', '(')):
                expr, result = r.group('expr'), r.group('result')
                if result == 'true':
                    wanted = [f'static_assert({expr});', f'check({expr});']
                elif result == 'false':
                    wanted = [f'static_assert(!{expr});', f'check(!{expr});']
                else:
                    wanted = [f'static_assert({expr} == {result});', f'check({expr} == {result});']
            else:
                wanted = [re.sub(r'\s+//.*$', '', code)]
            if not any(squash(w) in flat for w in wanted):
                problems.append(f'reference.md: not checked in {examples_path.name}: {code}\n'
                                f'    expected: {wanted[0]}')
    return problems, count


def check_names():
    """A name declared twice must mean the same thing in both places, so that the text-based checks
    above cannot match an example against a different declaration of the same name."""
    problems = []
    for path in (DOCS / 'reference.md', DOCS / 'tutorial' / '99_reference_examples.cpp'):
        seen = {}
        text = path.read_text(encoding='utf-8')
        for m in re.finditer(r'\busing (\w+) = ([^;]*);|\bconstexpr [\w:<>, ]+? (\w+)\{([^;]*)\};', text):
            name, value = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
            value = squash(value)
            if seen.setdefault(name, value) != value:
                problems.append(f'{path.name}: {name} is declared twice with different meanings; rename one')
    return problems


def check_meson():
    meson = (DOCS / 'meson.build').read_text(encoding='utf-8')
    listed = set(re.findall(r"'([0-9][0-9]_\w+)'", meson))
    return [f'docs/meson.build: tutorial/{p.name} is not in tutorial_sources'
            for p in sorted((DOCS / 'tutorial').glob('*.cpp')) if p.stem not in listed]


def main():
    update = '--update' in sys.argv[1:]
    problems = check_tutorial(update) + check_tutorial(update, 'layers.md') + check_tutorial(update, 'weights.md')
    reference_problems, count = check_reference()
    problems += reference_problems + check_names() + check_meson()
    for p in problems:
        print(p)
    if not problems:
        print(f'ok: tutorial.md quotes its files verbatim; {count} reference.md example lines are checked')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
