package io.shepherd.bench;

/** A benchmark: prints its figures, one {@code name value unit} per line, through {@link Report}. */
interface Benchmark {

  String name();

  String description();

  void run(Report report) throws Exception;
}
