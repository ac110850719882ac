package io.shepherd.host.logs;

import io.shepherd.protocol.LogLevel;
import io.shepherd.protocol.LogRecord;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The records of this JVM waiting to be forwarded to the log server: bounded, numbered as they are
 * taken in (with times that never go back), never blocking the thread that logs. When full, a record is dropped and counted; the
 * forwarder reports the count as a record of its own, so a drop is never silent. Thread-safe.
 */
public final class LogBuffer {

  /** A record as captured, before it has a source. */
  public record Entry(long seq, long micros, LogLevel level, String node, String logger, String thread, String message,
                      String error) {

    /** A rough size in bytes, to keep batches below the frame size. */
    int size() {
      return 48 + length(node) + length(logger) + length(thread) + length(message) + length(error);
    }

    private static int length(String s) {
      return s == null ? 0 : s.length();
    }

    public LogRecord withSource(String source) {
      return new LogRecord(source, seq, micros, level, node, logger, thread, message, error);
    }
  }

  /** Longest message kept whole; the rest is cut, saying so. */
  public static final int MAX_MESSAGE = 16 * 1024;
  /** Longest stack trace kept whole. */
  public static final int MAX_ERROR = 64 * 1024;

  private static final LogBuffer GLOBAL = new LogBuffer(100_000);

  private volatile int capacity;
  private final ArrayDeque<Entry> entries = new ArrayDeque<>();
  private final AtomicLong dropped = new AtomicLong();
  private long nextSeq = 1;
  private long lastMicros;
  private volatile Runnable onFirst = () -> {};
  private boolean signalled;

  public LogBuffer(int capacity) {
    this.capacity = capacity;
  }

  /** Changes how many records may wait (shepherd.logs.forwarder.buffer). */
  public void setCapacity(int records) {
    if (records < 1) {
      throw new IllegalArgumentException("shepherd.logs.forwarder.buffer must be at least 1");
    }
    this.capacity = records;
  }

  /** The buffer of this JVM, filled by {@link ForwardingAppender} and drained by the member's forwarder. */
  public static LogBuffer global() {
    return GLOBAL;
  }

  /**
   * Called, on the logging thread, when records wait and the forwarder has not been told yet;
   * after a {@link #drain} it is called again for the next record.
   */
  public void onRecords(Runnable callback) {
    this.onFirst = callback;
    callback.run();
  }

  /** Takes a record in, numbering it; drops it, counting, if the buffer is full. Never blocks for long. */
  public void add(long micros, LogLevel level, String node, String logger, String thread, String message, String error) {
    add(micros, level, node, logger, thread, message, error, false);
  }

  /** Takes in the forwarder's report of a drop: also when the buffer is full, so that a drop is never silent. */
  void addReport(long micros, String message) {
    add(micros, LogLevel.WARN, null, "shepherd.logs", Thread.currentThread().getName(), message, null, true);
  }

  private void add(long micros, LogLevel level, String node, String logger, String thread, String message, String error,
                   boolean always) {
    boolean signal;
    synchronized (this) {
      if (!always && entries.size() >= capacity) {
        dropped.incrementAndGet();
        return;
      }
      // Numbers and times agree within a source: a record taken in after another is never older
      // (threads race between making a record and handing it over; the difference is microseconds).
      lastMicros = Math.max(lastMicros, micros);
      entries.add(new Entry(nextSeq++, lastMicros, level, node, logger, thread, cut(message, MAX_MESSAGE), cut(error, MAX_ERROR)));
      signal = !signalled;
      signalled = true;
    }
    if (signal) {
      onFirst.run();
    }
  }

  /** Up to {@code maxRecords} records, at most about {@code maxBytes} of them, oldest first. */
  public List<Entry> drain(int maxRecords, int maxBytes) {
    List<Entry> batch = new ArrayList<>();
    int bytes = 0;
    synchronized (this) {
      while (!entries.isEmpty() && batch.size() < maxRecords && (batch.isEmpty() || bytes + entries.peek().size() <= maxBytes)) {
        Entry entry = entries.poll();
        bytes += entry.size();
        batch.add(entry);
      }
      signalled = !entries.isEmpty();
    }
    return batch;
  }

  /** The records dropped since the last call. */
  public long takeDropped() {
    return dropped.getAndSet(0);
  }

  private static String cut(String text, int max) {
    return text == null || text.length() <= max ? text : text.substring(0, max) + " [... " + (text.length() - max) + " characters cut]";
  }
}
