"""Repository rule exposing Debian 12's system libraries as cc_library targets.

Link flags come from pkg-config at fetch time, so the list follows whatever Abseil libraries
the installed gRPC needs; headers are in /usr/include, already on the compiler's path.
"""

def _pkg_libs(ctx, modules):
    res = ctx.execute(["pkg-config", "--libs"] + modules)
    if res.return_code != 0:
        fail("pkg-config --libs %s failed (run deploy/setup.sh): %s" % (" ".join(modules), res.stderr))
    return res.stdout.strip().split(" ")

def _system_libs_impl(ctx):
    grpc = _pkg_libs(ctx, ["grpc++", "protobuf"])
    absl = _pkg_libs(ctx, ["absl_flags", "absl_flags_parse", "absl_strings", "absl_synchronization", "absl_status", "absl_statusor", "absl_time", "absl_random_random", "absl_hash", "absl_str_format"])
    ssl = _pkg_libs(ctx, ["openssl"])
    icu = _pkg_libs(ctx, ["icu-uc"])
    httplib = _pkg_libs(ctx, ["cpp-httplib"])
    prometheus = _pkg_libs(ctx, ["prometheus-cpp-core"])
    ctx.file("BUILD.bazel", """
package(default_visibility = ["//visibility:public"])

cc_library(name = "absl", linkopts = {absl})

cc_library(name = "protobuf", linkopts = {grpc})

cc_library(
    name = "grpc",
    linkopts = ["-lgrpc++_reflection", "-lgrpc++_error_details"] + {grpc},
    deps = [":absl"],
)

cc_library(name = "rocksdb", linkopts = ["-lrocksdb", "-lpthread"])

# libpq (libpq-dev): the PostgreSQL store (common/storage). Its headers are included as
# <postgresql/libpq-fe.h>, which finds its siblings by relative include.
cc_library(name = "libpq", linkopts = ["-lpq"])

cc_library(name = "openssl", linkopts = {ssl})

# ICU: Unicode normalisation (NFC) and character properties for names (common/text).
cc_library(name = "icu", linkopts = {icu})

# cpp-httplib 0.11 (Debian's split build: the library was compiled with these macros, so every
# includer must define them too or the classes' layout differs): the secretariat's dashboard.
cc_library(
    name = "httplib",
    defines = [
        "CPPHTTPLIB_OPENSSL_SUPPORT",
        "CPPHTTPLIB_ZLIB_SUPPORT",
        "CPPHTTPLIB_BROTLI_SUPPORT",
    ],
    linkopts = {httplib},
    deps = [":openssl"],
)

# prometheus-cpp 1.0 core (registry, metric families, text exposition): the ops port's metrics.
cc_library(name = "prometheus", linkopts = {prometheus})

cc_library(name = "gtest", linkopts = ["-lgmock", "-lgtest", "-lpthread"])

cc_library(name = "gtest_main", linkopts = ["-lgmock_main", "-lgmock", "-lgtest", "-lpthread"])
""".format(grpc = repr(grpc), absl = repr(absl), ssl = repr(ssl), icu = repr(icu), httplib = repr(httplib), prometheus = repr(prometheus)))

system_libs = repository_rule(
    implementation = _system_libs_impl,
    local = True,
)
