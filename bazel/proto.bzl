"""C++ code generation for .proto files with Debian's protoc and grpc_cpp_plugin.

All protos live in the single package //protos, so generated files keep their import paths
(`enlace/cases/v1/cases.pb.h`) under the package's output directory.
"""

def enlace_cc_proto(name, srcs, deps = [], grpc = False):
    """Generates a cc_library for `srcs` (paths relative to //protos).

    Args:
      name: the cc_library's name.
      srcs: .proto files in this package.
      deps: other enlace_cc_proto targets whose protos these import.
      grpc: also generate gRPC service stubs.
    """
    outs = []
    hdrs = []
    for src in srcs:
        base = src[:-len(".proto")]
        outs += [base + ".pb.cc", base + ".pb.h"]
        hdrs.append(base + ".pb.h")
        if grpc:
            outs += [base + ".grpc.pb.cc", base + ".grpc.pb.h"]
            hdrs.append(base + ".grpc.pb.h")
    plugin = ""
    if grpc:
        plugin = " --plugin=protoc-gen-grpc=/usr/bin/grpc_cpp_plugin --grpc_out=$(GENDIR)/protos"
    native.genrule(
        name = name + "_gen",
        srcs = srcs + [d + "_srcs" for d in deps],
        outs = outs,
        cmd = ("/usr/bin/protoc -Iprotos -I/usr/include --cpp_out=$(GENDIR)/protos" + plugin +
               " " + " ".join(["protos/" + s for s in srcs])),
    )
    native.filegroup(
        name = name + "_srcs",
        srcs = srcs + [d + "_srcs" for d in deps],
    )
    native.cc_library(
        name = name,
        srcs = [o for o in outs if o.endswith(".cc")],
        hdrs = hdrs,
        includes = ["."],
        deps = deps + ["@system//:grpc"],
        visibility = ["//visibility:public"],
    )
