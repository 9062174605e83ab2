"""Stand-in for rules_java: the native rules of Bazel 4.2.3."""

java_import = native.java_import
java_runtime = native.java_runtime
java_toolchain = native.java_toolchain
