package io.shepherd.manager.logs;

import io.shepherd.protocol.LogRecord;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The log server's file: {@code shepherd.log} in a directory, one record a line (a stack trace
 * indented under it), rotated by size into {@code shepherd.log.1} ... {@code shepherd.log.N}, the
 * oldest deleted. Not thread-safe: the log server owns it. Blocking: the server runs on a
 * dispatcher of its own.
 */
final class RotatingLogFile implements AutoCloseable {

  static final String NAME = "shepherd.log";

  private final Path dir;
  private final long maxBytes;
  private final int keep;
  private Writer writer;
  private long written;

  /**
   * @param maxBytes the size at which the file is rotated
   * @param keep how many rotated files are kept besides the current one
   */
  RotatingLogFile(Path dir, long maxBytes, int keep) throws IOException {
    this.dir = dir;
    this.maxBytes = maxBytes;
    this.keep = keep;
    Files.createDirectories(dir);
    open();
  }

  Path current() {
    return dir.resolve(NAME);
  }

  private void open() throws IOException {
    Path file = current();
    written = Files.exists(file) ? Files.size(file) : 0;
    writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  /** Writes a record as a line; {@code mark} (or null) goes after its level. */
  void write(LogRecord record, String mark) throws IOException {
    String line = record.format(mark) + '\n';
    writer.write(line);
    written += line.length();
    if (written >= maxBytes) {
      rotate();
    }
  }

  void flush() throws IOException {
    writer.flush();
  }

  private void rotate() throws IOException {
    writer.close();
    Files.deleteIfExists(dir.resolve(NAME + "." + keep));
    for (int i = keep - 1; i >= 1; i--) {
      Path from = dir.resolve(NAME + "." + i);
      if (Files.exists(from)) {
        Files.move(from, dir.resolve(NAME + "." + (i + 1)), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    if (keep >= 1) {
      Files.move(current(), dir.resolve(NAME + ".1"), StandardCopyOption.REPLACE_EXISTING);
    } else {
      Files.delete(current());
    }
    open();
  }

  @Override
  public void close() throws IOException {
    writer.close();
  }
}
