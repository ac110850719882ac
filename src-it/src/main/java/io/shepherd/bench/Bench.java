package io.shepherd.bench;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * {@code bin/shepherd bench NAME}: runs a benchmark, which prints its figures as
 * {@code name value unit} lines on stdout (progress goes to stderr). {@code --list} lists them.
 */
public final class Bench {

  private Bench() {}

  static List<Benchmark> all() {
    List<Benchmark> all = new ArrayList<>(FoundationBenchmarks.all());
    all.addAll(SelfHealingBenchmarks.all());
    all.addAll(ProcessBenchmarks.all());
    all.addAll(ReadinessBenchmarks.all());
    all.addAll(LogBenchmarks.all());
    all.addAll(FrontDoorBenchmarks.all());
    all.add(new ChaosBenchmark());
    all.add(new ScaleBenchmark());
    return all;
  }

  public static void main(String[] args) throws Exception {
    LoggerFactory.getILoggerFactory();
    if (args.length == 3 && args[1].equals("--minutes") && args[2].matches("[1-9][0-9]{0,3}")) {
      System.setProperty("shepherd.bench.minutes", args[2]);
    } else if (args.length != 1 || args[0].equals("--help") || args[0].equals("-h")) {
      System.err.println("usage: bin/shepherd bench NAME [--minutes N] | --list");
      System.exit(args.length == 1 ? 0 : 2);
    }
    if (args[0].equals("--list")) {
      all().forEach(b -> System.out.println(b.name() + "  " + b.description()));
      System.exit(0);
    }
    Benchmark benchmark = all().stream().filter(b -> b.name().equals(args[0])).findFirst().orElse(null);
    if (benchmark == null) {
      System.err.println("unknown benchmark '" + args[0] + "'; bin/shepherd bench --list lists them");
      System.exit(2);
    }
    try {
      benchmark.run(new Report(benchmark.name()));
    } catch (Throwable t) {
      System.err.println("bench: " + benchmark.name() + " failed: " + t);
      t.printStackTrace();
      System.exit(1);
    }
    System.exit(0);
  }
}
