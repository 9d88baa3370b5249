"""Start the benchmark sampler in every Python process the benchmark runner launches (PYTHONPATH has this folder)."""
import os

if os.environ.get("TDS_BENCH_PROFILE"):
    import tds_bench_sampler

    tds_bench_sampler.start(os.environ["TDS_BENCH_PROFILE"])
