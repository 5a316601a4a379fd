"""etw.dask.read_etl: one partition per file (or per byte range of a big file), equal
to etw.arrow.to_pandas on each file; on the synchronous scheduler, the threaded one and
a local distributed cluster."""

from __future__ import annotations

import os
import shutil

import pytest

import etw

dd = pytest.importorskip("dask.dataframe")
pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")
import dask  # noqa: E402
import etw.arrow as A  # noqa: E402
import etw.dask as ED  # noqa: E402

SAMPLE = etw.sample_path()


@pytest.fixture
def two_files(tmp_path):
    d = tmp_path / "traces"
    d.mkdir()
    shutil.copy(SAMPLE, d / "a.etl")
    shutil.copy(SAMPLE, d / "b.etl")
    return d


def test_partitions(two_files, tmp_path):
    assert ED.partitions(str(two_files)) == [(str(two_files / "a.etl"), 0, 0),
                                             (str(two_files / "b.etl"), 0, 0)]
    size = os.path.getsize(SAMPLE)
    parts = ED.partitions(SAMPLE, split_bytes=1 << 20)
    assert parts == [(SAMPLE, 0, 0)]                      # smaller than one part
    with pytest.raises(ValueError, match="at least 1 MiB"):
        ED.partitions(SAMPLE, split_bytes=size // 2)
    with pytest.raises(FileNotFoundError):
        ED.partitions(str(tmp_path / "none" / "*.etl"))


def test_read_etl_synchronous(two_files):
    df = ED.read_etl(str(two_files), columns=["time", "provider", "name", "pid"])
    assert df.npartitions == 2
    assert list(df.columns) == ["time", "provider", "name", "pid", "file"]
    with dask.config.set(scheduler="synchronous"):
        got = df.compute()
    one = A.to_pandas(SAMPLE, columns=["time", "provider", "name", "pid"])
    assert len(got) == 2 * len(one) == 2 * 5064
    part = got[got["file"] == "a.etl"].drop(columns="file").reset_index(drop=True)
    pd.testing.assert_frame_equal(part.astype({"provider": str, "name": str}),
                                  one.astype({"provider": str, "name": str}))
    with dask.config.set(scheduler="synchronous"):
        counts = df.groupby("name", observed=True).size().compute()
    assert counts["Request/Start"] == 2 * 1720 and counts["Login"] == 2 * 127


def test_filters_and_projection(two_files):
    df = ED.read_etl(str(two_files), providers=["Contoso-Sample-Service"], ids=[3],
                     include_file=False)
    with dask.config.set(scheduler="threads"):
        pids = df["pid"].compute()
        users = len(df)
    assert set(pids) == {4388} and users == 2 * 127


def test_byte_range_parts_cover_a_big_file(tmp_path):
    from etlwriter.bigfile import generate
    p = tmp_path / "big.etl"
    generate(str(p), 6 << 20, cpus=4, seed=3)
    df = ED.read_etl(str(p), split_bytes=2 << 20, columns=["time", "pid", "id", "name"],
                     order="file")
    assert df.npartitions == 3
    with dask.config.set(scheduler="synchronous"):
        got = df.compute().reset_index(drop=True)
    whole = A.to_pandas(str(p), columns=["time", "pid", "id", "name"], order="file")
    assert len(got) == len(whole)
    pd.testing.assert_frame_equal(got.drop(columns="file").astype({"name": str}),
                                  whole.astype({"name": str}))


def test_local_distributed_cluster(two_files):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        df = ED.read_etl(str(two_files), columns=["name", "pid"])
        counts = client.compute(df.groupby("name", observed=True).size()).result()
        assert counts["Request/Stop"] == 2 * 1720
        assert counts["Heartbeat"] == 2 * 442
        local = A.to_pandas(SAMPLE, columns=["pid"])["pid"]
        assert client.compute(df["pid"].max()).result() == local.max() == 13932
        assert client.compute((df["pid"] == 4388).sum()).result() == 2 * (local == 4388).sum()
