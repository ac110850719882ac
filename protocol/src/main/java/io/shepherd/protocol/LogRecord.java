package io.shepherd.protocol;

import java.time.Instant;

/**
 * One log record of a member, a node or a node's process, as the log server keeps and streams it.
 *
 * @param source the member incarnation that wrote it, e.g. {@code daq1@127.0.0.1:2552#-4711}
 * @param seq its number among the records of that source: 1, 2, 3... without gaps unless records were lost
 * @param micros when it was written, in microseconds since the epoch (the source's clock)
 * @param level its level
 * @param node the path of the node it belongs to, or null for the member's own records
 * @param logger the logger's name
 * @param thread the name of the thread that wrote it
 * @param message the message
 * @param error the exception with its stack trace, or null
 */
public record LogRecord(String source, long seq, long micros, LogLevel level, String node, String logger, String thread,
                        String message, String error) implements CborSerializable {

  /** When it was written. */
  public Instant time() {
    return Instant.ofEpochSecond(micros / 1_000_000, (micros % 1_000_000) * 1_000);
  }

  /** The record as one line (more, with a stack trace) a person can read and grep. */
  public String format() {
    return format(null);
  }

  /** The record as {@link #format()} has it, with {@code mark} (e.g. {@code LATE}) after its level, if not null. */
  public String format(String mark) {
    StringBuilder line = new StringBuilder(160);
    line.append(time()).append(' ').append(level.name());
    line.append(" ".repeat(Math.max(1, 6 - level.name().length())));
    if (mark != null) {
      line.append(mark).append(' ');
    }
    line.append(node == null ? "-" : node).append(" [").append(source).append(' ').append(thread).append("] ")
        .append(logger).append(" - ").append(message);
    if (error != null) {
      line.append("\n    ").append(error.stripTrailing().replace("\n", "\n    "));
    }
    return line.toString();
  }
}
