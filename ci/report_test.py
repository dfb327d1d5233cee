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

# The fake program: cases are (suite.name, rule, outcome), where a rule
# "self:WHAT" stands for SOCKSPEC_SELF_CHECK(WHAT); outcome is pass, fail,
# skip, crash (abort while running) or hang (while running). Each case records
# a value (42) and a value that varies by run (the program's pid), as
# RecordValue and RecordVolatileValue do. Honours --gtest_filter=-A:B and
# --gtest_output=xml:PATH like gtest.
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
        if rule and not rule.startswith("self:") and os.environ.get("SOCKSPEC_ANNOUNCE_RULES"):
            print("[ RULE     ] " + rule, flush=True)
        if outcome == "crash": os.abort()
        if outcome == "hang": time.sleep(60)
        suite, case = name.split(".", 1)
        body = '<property name="rule" value="%%s"/>' %% rule if rule else ""
        if rule.startswith("self:"):
            body = '<property name="self_check" value="%%s"/>' %% rule[len("self:"):]
        body += '<property name="value:%%s" value="42"/>' %% case
        body += '<property name="volatile-value:%%s.pid" value="%%d"/>' %% (case, os.getpid())
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
        self.assertIn("Ok.pid", doc["implementation_defined"])
        self.assertEqual(doc["volatile_values"], ["Bad.pid", "Ok.pid", "Skip.pid"])
        untested = [r for r in rules.values() if r["status"] == "untested"]
        self.assertTrue(untested)  # the rest of the real catalogue
        self.assertEqual(code, 1)  # listen.dgram is a shall rule

    def test_self_checks_are_listed_apart(self):
        self.program("cases_s", [("S.Rule", "bind.twice", "pass"),
                                 ("S.Model", "self:address model", "pass"),
                                 ("S.Loose", "", "pass")])
        self.expect("p", "")
        code, doc, rules = self.run_report()
        self.assertEqual([(c["name"], c["checks"], c["status"]) for c in doc["self_checks"]],
                         [("S.Model", "address model", "pass")])
        self.assertEqual([c["name"] for c in doc["unattributed_cases"]], ["S.Loose"])
        self.assertNotIn("S.Model", [c["name"] for r in rules.values() for c in r["cases"]])
        self.assertEqual(code, 0)
        # A failing self-check fails the run: the matrix rests on the harness.
        self.program("cases_s", [("S.Rule", "bind.twice", "pass"),
                                 ("S.Model", "self:address model", "fail")])
        code, doc, _ = self.run_report()
        self.assertEqual(doc["self_checks"][0]["status"], "fail")
        self.assertEqual(doc["unattributed_cases"], [])
        self.assertEqual(code, 1)

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
        rules, cases, values, _, _ = diff.diff(a, b, False)
        self.assertEqual([r[0] for r in rules], ["bind.twice"])
        self.assertEqual(values, [["A", "42", "43"]])
        out = subprocess.run([sys.executable, os.path.join(CI, "report-diff"), "/dev/null",
                              "/dev/null"], capture_output=True)
        self.assertNotEqual(out.returncode, 0)  # unreadable input is the one error

    def test_diff_leaves_out_values_that_vary_by_run(self):
        self.program("cases_e", [("E.A", "bind.twice", "pass"), ("E.B", "bind.in-use", "pass")])
        self.expect("p", "")
        _, a, _ = self.run_report()
        _, b, _ = self.run_report()  # another run: other pids
        diff = load("report-diff")
        self.assertNotEqual(a["implementation_defined"]["A.pid"],
                            b["implementation_defined"]["A.pid"])
        rules, cases, values, varying, _ = diff.diff(a, b, False)
        self.assertEqual((rules, cases, values), ([], [], []))
        self.assertEqual([v[0] for v in varying], ["A.pid", "B.pid"])
        # Recorded on one side only: still not compared.
        del b["implementation_defined"]["B.pid"]
        self.assertEqual(diff.diff(a, b, False)[2], [])
        # A status change is still reported, and so is a steady value.
        for r in b["rules"]:
            if r["id"] == "bind.in-use":
                r["status"] = "fail"
        b["implementation_defined"]["A"] = "43"
        rules, _, values, _, _ = diff.diff(a, b, False)
        self.assertEqual([r[0] for r in rules], ["bind.in-use"])
        self.assertEqual(values, [["A", "42", "43"]])

    def test_diff_reads_files_without_volatile_values(self):
        self.program("cases_f", [("F.A", "bind.twice", "pass")])
        self.expect("p", "")
        _, a, _ = self.run_report()
        _, b, _ = self.run_report()
        old_a, old_b = json.loads(json.dumps(a)), json.loads(json.dumps(b))
        del old_a["volatile_values"], old_b["volatile_values"]
        diff = load("report-diff")
        # Two old files: nothing says the pid varies, so it is compared, as before.
        self.assertEqual([v[0] for v in diff.diff(old_a, old_b, False)[2]], ["A.pid"])
        # An old file against a new one: the new one's marks apply.
        self.assertEqual(diff.diff(old_a, b, False)[2], [])
        paths = []
        for name, doc in (("old.json", old_a), ("new.json", b)):
            paths.append(os.path.join(self.dir, name))
            with open(paths[-1], "w") as f:
                json.dump(doc, f)
        out = subprocess.run([sys.executable, os.path.join(CI, "report-diff"), *paths],
                             capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("Implementation-defined values that differ: 0", out.stdout)
        self.assertIn("not compared: 1 value that varies by run", out.stdout)
        out = subprocess.run([sys.executable, os.path.join(CI, "report-diff"), "--volatile",
                              *paths], capture_output=True, text=True)
        self.assertIn("A.pid", out.stdout)


if __name__ == "__main__":
    unittest.main()
