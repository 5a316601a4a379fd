"""The etw command (etw.cli.main, python -m etw): output of each command on the sample
trace, exact; exit codes and messages on bad input; help texts."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys

import pytest

import etw
from etw.cli import main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLE = etw.sample_path()


def run(capsys, *argv):
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


# ----------------------------------------------------------------------------- help


def test_help_teaches(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for text in ("etw stats --sample", "etw convert traces/ -o all.parquet", "exit codes",
                 "dump", "stats", "convert", "schemas", "live", "sessions", "stop",
                 "providers"):
        assert text in out
    with pytest.raises(SystemExit):
        main(["dump", "--help"])
    out = capsys.readouterr().out
    assert "formats:" in out and "--header-only" in out and "+SECONDS" in out


def test_no_command_is_usage(capsys):
    rc, out, err = run(capsys)
    assert rc == 2 and "usage" in out


def test_python_m_etw(tmp_path):
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "python"))
    p = subprocess.run([sys.executable, "-m", "etw", "stats", "--sample", "--by", "provider"],
                       capture_output=True, text=True, env=env, cwd=str(tmp_path))
    assert p.returncode == 0, p.stderr
    assert ["Contoso-Sample-Service", "3,567", "70.4%"] in [l.split() for l in
                                                            p.stdout.splitlines()]


# ----------------------------------------------------------------------------- stats


def test_stats_table(capsys):
    rc, out, err = run(capsys, "stats", "--sample")
    assert rc == 0
    lines = out.splitlines()
    assert lines[0] == SAMPLE
    assert lines[1] == "  session  ContosoSampleSession  (Windows 10.0.22631, 4 CPUs, 64-bit)"
    assert lines[2] == ("  time     2024-05-01T12:00:00.000000000Z .. "
                        "2024-05-01T12:00:09.987000000Z  (9.987 s)")
    assert lines[3].startswith("  events   5,064  in 13 buffers, 184,219 bytes, 12 compressed")
    assert lines[4].startswith("  lost     0 events, 0 buffers")
    body = [l.split() for l in lines[6:]]
    assert body[0] == ["provider", "event", "kind", "count", "share"]
    assert body[2] == ["Contoso-Sample-Service", "Request/Start", "manifest", "1,720", "34.0%"]
    assert ["Contoso-Sample-Service", "Login", "manifest", "127", "2.5%"] in body


def test_stats_json_and_filters(capsys):
    rc, out, _ = run(capsys, "stats", "--sample", "--json", "--by", "kind")
    data = json.loads(out)
    assert data["events"] == 5064 and data["events_in_file"] == 5064
    assert {g["kind"]: g["count"] for g in data["groups"]} == {
        "manifest": 3567, "kernel": 917, "tracelogging": 574, "classic": 5, "header": 1}
    assert data["lost"] == {"events_lost": 0, "buffers_lost": 0, "buffers_flagged_lost": 0,
                            "damaged_places_skipped": 0, "damaged_bytes_skipped": 0}
    rc, out, _ = run(capsys, "stats", "--sample", "--json", "-p", "Contoso-Sample-Service",
                     "-i", "1-2", "--pid", "4388")
    data = json.loads(out)
    assert data["events"] == 3440
    assert [(g["event"], g["count"]) for g in data["groups"]] == [("Request/Start", 1720),
                                                                 ("Request/Stop", 1720)]
    rc, out, _ = run(capsys, "stats", "--sample", "--json", "--start", "+2", "--end", "+3")
    data = json.loads(out)
    import etw.arrow as A
    assert data["events"] == A.to_arrow(SAMPLE, start="2024-05-01T12:00:02Z",
                                        end="2024-05-01T12:00:03Z").num_rows
    assert data["first_time"] >= "2024-05-01T12:00:02" and data["last_time"] < "2024-05-01T12:00:03"


# ----------------------------------------------------------------------------- dump


def test_dump_text(capsys):
    rc, out, _ = run(capsys, "dump", "--sample", "-n", "3", "-f", "text")
    lines = out.splitlines()
    assert rc == 0 and len(lines) == 3
    assert lines[0].startswith("2024-05-01T12:00:00.000000Z cpu0 4/8 MSNT_SystemTrace "
                               "EventTrace/Header BufferSize=65536 ")
    # (the EventMetadata record carrying an injected schema; its name comes from the
    # kernel tables)
    assert lines[1].startswith("2024-05-01T12:00:00.000500Z cpu0 0/0 ")
    rc, out, _ = run(capsys, "dump", "--sample", "-p", "Contoso-Sample-Service", "-i", "3",
                     "-n", "1", "-f", "text")
    assert out == ("2024-05-01T12:00:00.108792Z cpu0 4388/152 Contoso-Sample-Service Login "
                   "User=mallory Reason=BadPassword Attempt=2\n")


def test_dump_jsonl(capsys):
    rc, out, _ = run(capsys, "dump", "--sample", "-p", "Contoso-Sample-Service", "-i", "3",
                     "-f", "jsonl")
    rows = [json.loads(l) for l in out.splitlines()]
    assert len(rows) == 127
    assert rows[0]["EventData"] == {"User": "mallory", "Reason": 1, "Attempt": 2}
    assert rows[0]["System"]["EventName"] == "Login"
    assert rows[0]["System"]["Provider"]["Name"] == "Contoso-Sample-Service"


def test_dump_csv_and_output_file(capsys, tmp_path):
    out_file = tmp_path / "tl.csv"
    rc, out, _ = run(capsys, "dump", "--sample", "-k", "tracelogging", "-f", "csv",
                     "-o", str(out_file))
    assert rc == 0 and out == ""
    rows = list(csv.reader(open(out_file, encoding="utf-8")))
    assert rows[0][:4] == ["time", "provider", "name", "id"]
    assert len(rows) == 1 + 574
    assert {r[1] for r in rows[1:]} == {"Contoso.Sample.Telemetry"}
    hb = next(r for r in rows[1:] if r[2] == "Heartbeat")
    assert json.loads(hb[-1])["Host"] == "web-01"


def test_dump_header_only(capsys):
    pytest.importorskip("pyarrow")
    rc, out, _ = run(capsys, "dump", "--sample", "--header-only", "-f", "csv", "-n", "2",
                     "--columns", "time,provider,name,pid,provider_id")
    assert rc == 0
    lines = out.splitlines()
    assert lines[:2] == [
        '"time","provider","name","pid","provider_id"',
        '2024-05-01 12:00:00.000000000Z,"MSNT_SystemTrace","EventTrace/Header",4,'
        '"68fdd900-4a3e-11d1-84f4-0000f80464e3"']
    assert len(lines) == 3 and lines[2].startswith("2024-05-01 12:00:00.000500000Z,")
    assert lines[2].endswith(',0,"bbccf6c1-6cd1-48c4-80ff-839482e37671"')
    rc, out, _ = run(capsys, "dump", "--sample", "--header-only", "-f", "jsonl",
                     "-k", "tracelogging", "--columns", "name,pid")
    rows = [json.loads(l) for l in out.splitlines()]
    assert len(rows) == 574 and rows[0] == {"name": rows[0]["name"], "pid": 4388}


# ----------------------------------------------------------------------------- convert


def test_convert_parquet_and_directory(capsys, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "s.parquet"
    rc, _, err = run(capsys, "convert", "--sample", "-o", str(out))
    assert rc == 0 and "wrote 1 file" in err
    t = pq.read_table(out)
    assert t.num_rows == 5064 and t.column_names == list(etw.arrow.DEFAULT_COLUMNS)
    # two inputs into one file get a 'file' column
    d = tmp_path / "in"
    d.mkdir()
    for n in ("a.etl", "b.etl"):
        (d / n).write_bytes(open(SAMPLE, "rb").read())
    both = tmp_path / "both.parquet"
    rc, _, _ = run(capsys, "convert", str(d), "-o", str(both), "--columns", "time,name,pid",
                   "-p", "Contoso.Sample.Telemetry")
    t = pq.read_table(both)
    assert t.num_rows == 2 * 574 and t.column_names == ["time", "name", "pid", "file"]
    assert sorted(set(t.column("file").to_pylist())) == ["a.etl", "b.etl"]
    # a directory output: one file per input
    outdir = tmp_path / "per-file"
    rc, _, _ = run(capsys, "convert", str(d), "-o", str(outdir) + "/")
    assert sorted(os.listdir(outdir)) == ["a.parquet", "b.parquet"]
    assert pq.read_table(outdir / "a.parquet").num_rows == 5064
    # microsecond timestamps for Spark
    us = tmp_path / "us.parquet"
    rc, _, _ = run(capsys, "convert", "--sample", "-o", str(us), "--timestamps", "us")
    import pyarrow as pa
    t = pq.read_table(us)
    assert t.schema.field("time").type == pa.timestamp("us", tz="UTC")
    assert t.column("time")[0].value == 1714564800000000


def test_convert_by_type_and_csv(capsys, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    outdir = tmp_path / "types"
    rc, _, _ = run(capsys, "convert", "--sample", "-o", str(outdir), "--by-type",
                   "-p", "Contoso-Sample-Service")
    assert rc == 0
    assert sorted(os.listdir(outdir / "Contoso-Sample-Service")) == [
        "Login.parquet", "Request_Start.parquet", "Request_Stop.parquet"]
    login = pq.read_table(outdir / "Contoso-Sample-Service" / "Login.parquet")
    assert login.num_rows == 127 and login.column("User")[0].as_py() == "mallory"
    out = tmp_path / "s.csv"
    rc, _, _ = run(capsys, "convert", "--sample", "-o", str(out), "--columns",
                   "time,provider,provider_id", "-i", "3")
    rows = list(csv.reader(open(out, encoding="utf-8")))
    assert rows[0] == ["time", "provider", "provider_id"] and len(rows) == 128
    assert rows[1][2] == "4f1c3b2a-9d8e-4c7b-a6f5-0e1d2c3b4a59"


# ----------------------------------------------------------------------------- schemas


MANIFEST = """<?xml version="1.0"?>
<instrumentationManifest xmlns="http://schemas.microsoft.com/win/2004/08/events">
 <instrumentation><events>
  <provider name="Contoso-Sample-Service" guid="{4F1C3B2A-9D8E-4C7B-A6F5-0E1D2C3B4A59}"
            symbol="CSS">
   <templates><template tid="t"><data name="User" inType="win:UnicodeString"/>
     <data name="Reason" inType="win:UInt32"/><data name="Attempt" inType="win:UInt32"/>
   </template></templates>
   <events><event value="3" version="1" template="t" level="win:Warning"/></events>
  </provider></events></instrumentation>
</instrumentationManifest>
"""


def test_schemas_export(capsys, tmp_path):
    pytest.importorskip("etw.schemas")
    man = tmp_path / "css.man"
    man.write_text(MANIFEST, encoding="utf-8")
    pack = tmp_path / "css.etwpack"
    rc, _, err = run(capsys, "schemas", "export", str(man), "-o", str(pack))
    assert rc == 0 and "wrote 1 schema entries" in err
    from etw.schemas import read_pack
    (entry,) = read_pack(pack.read_bytes())
    assert entry[0] == "tei"
    rc, _, err = run(capsys, "schemas", "export", str(tmp_path / "missing.man"), "-o",
                     str(pack))
    assert rc == 2 and "no such file" in err



def test_schemas_export_for_a_trace_decodes_it(capsys, tmp_path):
    """etw schemas export <manifest dir> --trace X -o P writes what X needs (its
    providers and event ids, with their maps); X decoded with P gives to_json()
    identical to X decoded with the manifests, on every event."""
    pytest.importorskip("etw.schemas")
    corpus = os.path.normpath(os.path.join(ROOT, "..", "shared", "etl-corpus"))
    mdir = os.path.join(corpus, "manifests")
    trace = os.path.join(corpus, "tx_HTTP_Server.etl")
    if not (os.path.isdir(mdir) and os.path.isfile(trace)):
        pytest.skip("../shared/etl-corpus is not available")
    pack = tmp_path / "http.etwpack"
    rc, _, err = run(capsys, "schemas", "export", mdir, "--trace", trace, "-o", str(pack))
    assert rc == 0 and "wrote 15 schema entries" in err
    ref = [ev.to_json() for ev in etw.open(trace, schemas=[mdir])]
    got = [ev.to_json() for ev in etw.open(trace, schemas=[str(pack)])]
    assert len(got) == 2042 and got == ref
    assert sum('"Name":"Microsoft-Windows-HttpService"' in j for j in got) == 2041
    # The pack is found by its content in a directory too.
    rc, out, _ = run(capsys, "dump", trace, "--schemas", str(tmp_path), "-f", "jsonl", "-n", "3")
    assert rc == 0
    assert [json.loads(line)["System"]["Provider"]["Name"] for line in out.splitlines()][1:] == \
        ["Microsoft-Windows-HttpService"] * 2

# ----------------------------------------------------------------------------- errors


def test_exit_codes_and_messages(capsys, tmp_path):
    rc, _, err = run(capsys, "stats", str(tmp_path / "none.etl"))
    assert rc == 2 and err == f"etw: error: {tmp_path / 'none.etl'}: no such file\n"
    text = tmp_path / "text.etl"
    text.write_text("hello")
    rc, _, err = run(capsys, "dump", str(text))
    assert rc == 2 and "not an ETL file" in err
    rc, _, err = run(capsys, "stats", str(tmp_path))
    assert rc == 2 and "is a directory" in err
    rc, _, err = run(capsys, "dump", "--sample", "-k", "bogus")
    assert rc == 2 and "unknown kind 'bogus'" in err
    rc, _, err = run(capsys, "dump", "--sample", "-i", "70000")
    assert rc == 2 and "out of range" in err
    rc, _, err = run(capsys, "dump", "--sample", "--start", "yesterday")
    assert rc == 2 and "ISO 8601" in err
    rc, _, err = run(capsys, "dump")
    assert rc == 2 and "--sample" in err
    rc, _, err = run(capsys, "convert", "--sample", "-o", str(tmp_path / "x.unknown"))
    assert rc == 2 and "--format" in err
    with pytest.raises(SystemExit) as exc:
        main(["dump", "--sample", "-f", "xml"])
    assert exc.value.code == 2


def test_damaged_trace_exit_1(capsys, tmp_path):
    data = bytearray(open(SAMPLE, "rb").read())
    # Damage the first record of the header buffer after the logfile header's end.
    bad = tmp_path / "bad.etl"
    first_event_buffer = int.from_bytes(data[0:4], "little")
    data[first_event_buffer + 0x48: first_event_buffer + 0x48 + 64] = b"\xAB" * 64
    bad.write_bytes(bytes(data))
    rc, _, err = run(capsys, "stats", str(bad))
    assert rc == 1 and "damaged trace at offset" in err and "--errors skip" in err
    rc, out, err = run(capsys, "stats", str(bad), "--errors", "skip", "--json")
    assert rc == 0
    assert json.loads(out)["lost"]["damaged_places_skipped"] >= 1


@pytest.mark.skipif(sys.platform == "win32", reason="checks the behaviour off Windows")
@pytest.mark.parametrize("argv", [["live", "Microsoft-Windows-Kernel-Process"], ["sessions"],
                                  ["stop", "x"], ["providers"]])
def test_windows_only_commands(capsys, argv):
    rc, _, err = run(capsys, *argv)
    assert rc == 2
    assert f"'etw {argv[0]}' needs Windows" in err


def test_convert_many_into_one_file_filters(capsys, tmp_path):
    """Several inputs into one file: read at once with the same filters (absolute
    times), or one by one when --start/--end are relative to each trace; the rows
    are each file's filtered rows either way, with the file's base name."""
    import datetime as dt
    pq = pytest.importorskip("pyarrow.parquet")
    d = tmp_path / "in"
    d.mkdir()
    for n in ("a.etl", "b.etl", "c.etl"):
        (d / n).write_bytes(open(SAMPLE, "rb").read())
    # +2 s after the trace start, to the microsecond (the ISO form below carries no ns)
    start_ns = (etw.open(SAMPLE).header["start_filetime"] - 116444736000000000) * 100
    cut_ns = (start_ns + 2_000_000_000) // 1000 * 1000
    per_file = len(etw.to_pandas(SAMPLE, columns=["time"], start=cut_ns))
    assert 0 < per_file < 5064
    iso = dt.datetime.fromtimestamp(cut_ns // 1000 / 1e6, tz=dt.timezone.utc).isoformat()
    for k, arg in enumerate((iso, "+%.6f" % ((cut_ns - start_ns) / 1e9))):
        out = tmp_path / ("o%d.parquet" % k)
        rc, _, _ = run(capsys, "convert", str(d), "-o", str(out), "--start", arg)
        assert rc == 0
        t = pq.read_table(out)
        assert t.column_names[-1] == "file"
        names = t.column("file").to_pylist()
        assert [names.count(n) for n in ("a.etl", "b.etl", "c.etl")] == [per_file] * 3
