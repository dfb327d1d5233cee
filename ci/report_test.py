#!/usr/bin/env python3
"""Self-test of ci/report and ci/report-diff (stdlib unittest; ctest label `unit`).

A fake gtest program (a Python script speaking gtest's stdout and XML) stands
in for the case programs, so crash and hang recovery, expectation files and
status aggregation are checked without building anything.
"""

import importlib.machinery
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

CI = os.path.dirname(os.path.abspath(__file__))


def load(name):
    loader = importlib.machinery.SourceFileLoader(name.replace("-", "_"), os.path.join(CI, name))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


report = load("report")

# The fake program: cases are (suite.name, rule, outcome); outcome is pass, fail,
# skip, crash (abort while running) or hang (while running). Honours
# --gtest_filter=-A:B and --gtest_output=xml:PATH like gtest.
FAKE = textwrap.dedent('''\
    #!/usr/bin/env python3
    import os, sys, time
    from xml.sax.saxutils import quoteattr
    CASES = %r
    out, skip = None, set()
    for a in sys.argv[1:]:
        if a.startswith("--gtest_output=xml:"): out = a.split(":", 1)[1]
        if a.startswith("--gtest_filter=-"): skip = set(a.split("=-", 1)[1].split(":"))
    xml = []
    for name, rule, outcome in CASES:
        if name in skip: continue
        print("[ RUN      ] " + name, flush=True)
        if rule and os.environ.get("SOCKSPEC_ANNOUNCE_RULES"):
            print("[ RULE     ] " + rule, flush=True)
        if outcome == "crash": os.abort()
        if outcome == "hang": time.sleep(60)
        suite, case = name.split(".", 1)
        body = '<property name="rule" value="%%s"/>' %% rule if rule else ""
        body += '<property name="value:%%s" value="42"/>' %% case
        result, verdict = "completed", ""
        if outcome == "fail": verdict = '<failure message="x">f.cc:1\\nValue of: thing</failure>'
        if outcome == "skip":
            verdict = '<skipped message="f.cc:2&#x0A;feature absent: x">f.cc:2\\nfeature absent: x</skipped>'
            result = "skipped"
        xml.append('<testcase name=%%s classname=%%s status="run" result="%%s" time="0">%%s'
                   '<properties>%%s</properties></testcase>' %% (quoteattr(case), quoteattr(suite), result, verdict, body))
        print("[       OK ] %%s (0 ms)" %% name, flush=True)
    with open(out, "w") as f:
        f.write('<?xml version="1.0"?><testsuites><testsuite name="s">%%s</testsuite></testsuites>' %% "".join(xml))
''')


class ReportTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name
        os.makedirs(os.path.join(self.dir, "build", "cases"))
        os.makedirs(os.path.join(self.dir, "exp"))

    def tearDown(self):
        self.tmp.cleanup()

    def program(self, name, cases):
        path = os.path.join(self.dir, "build", "cases", name)
        with open(path, "w") as f:
            f.write(FAKE % (cases,))
        os.chmod(path, 0o755)

    def expect(self, platform, text):
        with open(os.path.join(self.dir, "exp", platform), "w") as f:
            f.write(textwrap.dedent(text))

    def run_report(self, *extra):
        args = ["--build-dir", os.path.join(self.dir, "build"), "--emulator", "",
                "--expectations-dir", os.path.join(self.dir, "exp"), "--platform", "p",
                "--test-timeout", "2", *extra]
        with open(os.devnull, "w") as null:
            stdout, stderr = sys.stdout, sys.stderr
            sys.stdout = sys.stderr = null
            try:
                code = report.main(args)
            finally:
                sys.stdout, sys.stderr = stdout, stderr
        with open(os.path.join(self.dir, "build", "report", "conformance.json")) as f:
            doc = json.load(f)
        return code, doc, {r["id"]: r for r in doc["rules"]}

    def test_statuses_values_and_exit(self):
        self.program("cases_a", [("A.Ok", "bind.twice", "pass"),
                                 ("A.Skip", "bind.in-use", "skip"),
                                 ("A.Bad", "listen.dgram", "fail")])
        self.expect("p", "")
        code, doc, rules = self.run_report()
        self.assertEqual(doc["schema"], "sockspec-conformance/1")
        self.assertEqual(rules["bind.twice"]["status"], "pass")
        self.assertEqual(rules["bind.in-use"]["status"], "skip")
        self.assertEqual(rules["bind.in-use"]["message"], "feature absent: x")
        self.assertEqual(rules["listen.dgram"]["status"], "fail")
        self.assertIn("Value of: thing", rules["listen.dgram"]["message"])
        self.assertEqual(doc["implementation_defined"]["Ok"], "42")
        untested = [r for r in rules.values() if r["status"] == "untested"]
        self.assertTrue(untested)  # the rest of the real catalogue
        self.assertEqual(code, 1)  # listen.dgram is a shall rule

    def test_crash_and_hang_keep_the_other_cases(self):
        self.program("cases_b", [("B.First", "bind.twice", "pass"),
                                 ("B.Crash", "bind.ebadf", "crash"),
                                 ("B.Hang", "bind.enotsock", "hang"),
                                 ("B.Last", "bind.in-use", "pass")])
        self.expect("p", "")
        code, doc, rules = self.run_report()
        self.assertEqual(rules["bind.ebadf"]["status"], "crash")
        self.assertIn("SIGABRT", rules["bind.ebadf"]["message"])
        self.assertEqual(rules["bind.enotsock"]["status"], "timeout")
        self.assertEqual(rules["bind.twice"]["status"], "pass")
        self.assertEqual(rules["bind.in-use"]["status"], "pass")
        self.assertEqual(code, 1)

    def test_expectations(self):
        self.program("cases_c", [("C.Dev", "listen.dgram", "fail"),
                                 ("C.Fixed", "bind.twice", "pass"),
                                 ("C.Other", "bind.in-use", "fail")])
        self.expect("base", "listen.dgram | | documented deviation | https://example.org/1\n")
        self.expect("p", """\
            # comment
            include base
            bind.twice | C.* | was broken | "a quote"
            bind.in-use | C.Nothing | wrong glob | https://example.org/2
            """)
        code, doc, rules = self.run_report()
        self.assertEqual(rules["listen.dgram"]["status"], "expected-fail")
        self.assertIn("documented deviation", rules["listen.dgram"]["message"])
        self.assertEqual(rules["bind.twice"]["status"], "unexpected-pass")
        self.assertEqual(rules["bind.in-use"]["status"], "fail")  # the glob matched no case
        self.assertEqual(len(doc["unused_expectations"]), 1)
        self.assertEqual(code, 1)

    def test_diff(self):
        self.program("cases_d", [("D.A", "bind.twice", "pass")])
        self.expect("p", "")
        _, a, _ = self.run_report()
        b = json.loads(json.dumps(a))
        for r in b["rules"]:
            if r["id"] == "bind.twice":
                r["status"], r["message"] = "fail", "differs"
        b["implementation_defined"]["A"] = "43"
        diff = load("report-diff")
        rules, cases, values, _ = diff.diff(a, b, False)
        self.assertEqual([r[0] for r in rules], ["bind.twice"])
        self.assertEqual(values, [["A", "42", "43"]])
        out = subprocess.run([sys.executable, os.path.join(CI, "report-diff"), "/dev/null",
                              "/dev/null"], capture_output=True)
        self.assertNotEqual(out.returncode, 0)  # unreadable input is the one error


if __name__ == "__main__":
    unittest.main()
