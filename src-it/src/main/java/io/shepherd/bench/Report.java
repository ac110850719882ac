package io.shepherd.bench;

import java.util.Arrays;
import java.util.Locale;

/** Where benchmarks print figures: one {@code name value unit} per line on stdout. */
final class Report {

  private final String prefix;

  Report(String prefix) {
    this.prefix = prefix;
  }

  void figure(String name, double value, String unit) {
    System.out.println(prefix + "." + name + " " + String.format(Locale.ROOT, value == Math.rint(value) && Math.abs(value) < 1e12
        ? "%.0f" : "%.3f", value) + " " + unit);
    System.out.flush();
  }

  /** p50, p90, p99 (and max) of nanosecond samples, as milliseconds; returns the p50 in nanoseconds. */
  double latencies(String name, long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    figure(name + ".samples", sorted.length, "count");
    figure(name + ".p50", percentile(sorted, 50) / 1e6, "ms");
    figure(name + ".p90", percentile(sorted, 90) / 1e6, "ms");
    figure(name + ".p99", percentile(sorted, 99) / 1e6, "ms");
    figure(name + ".max", sorted[sorted.length - 1] / 1e6, "ms");
    return percentile(sorted, 50);
  }

  /** p50, p95, p99 and max of nanosecond samples, as milliseconds. */
  void percentiles(String name, long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    figure(name + ".samples", sorted.length, "count");
    figure(name + ".p50", percentile(sorted, 50) / 1e6, "ms");
    figure(name + ".p95", percentile(sorted, 95) / 1e6, "ms");
    figure(name + ".p99", percentile(sorted, 99) / 1e6, "ms");
    figure(name + ".max", sorted[sorted.length - 1] / 1e6, "ms");
  }

  static double percentile(long[] sorted, double p) {
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  /** Progress for people, on stderr, so that stdout holds figures only. */
  static void note(String message) {
    System.err.println("bench: " + message);
  }
}
