"""One fuzz target = one libFuzzer source, built here as a bounded cc_test with the
deterministic driver (fuzz_driver_main.cc) and the target's seed corpus and dictionary.
tests/fuzz/run_libfuzzer.sh builds the same source with clang and real libFuzzer."""

def enlace_fuzz_test(name, src, corpus, deps, mutations = 20000, max_seconds = 15):
    """Defines `name`: the target `src` run on corpus/<corpus>/ plus seeded mutations.

    Args:
      name: the cc_test's name (e.g. "envelope_fuzz_test").
      src: the fuzz target's source, defining LLVMFuzzerTestOneInput.
      corpus: the folder under corpus/ (and the dictionary under dicts/, <corpus>.dict).
      deps: what the target links.
      mutations: number of mutated inputs after the seeds.
      max_seconds: time budget; the run stops early (and passes) when it is reached.
    """
    native.cc_test(
        name = name,
        size = "medium",
        srcs = ["fuzz_driver_main.cc", src],
        args = [
            "--corpus=tests/fuzz/corpus/%s" % corpus,
            "--dict=tests/fuzz/dicts/%s.dict" % corpus,
            "--mutations=%d" % mutations,
            "--max_seconds=%d" % max_seconds,
        ],
        data = native.glob(["corpus/%s/*" % corpus]) + ["dicts/%s.dict" % corpus],
        deps = deps + [":fuzz_support"],
    )
