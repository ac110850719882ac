package io.shepherd.host.internal.process;

import io.shepherd.node.NodeContext;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.MDC;

/**
 * A process node's standard streams: stdout and stderr read line by line into log records of the
 * node (INFO and WARN), and stdin written from a bounded queue of lines ({@link Input}).
 */
final class ProcessStdio {

  /** The threads that read processes' stdout and stderr, two per process. */
  private static final ExecutorService READERS = IdlePool.named("shepherd-output");

  private ProcessStdio() {}

  /** Reads {@code process}'s stdout (INFO) and stderr (WARN) into {@code logger}, each line cut at {@code maxLineLength}. */
  static void readOutput(Process process, String node, Logger logger, int maxLineLength) {
    readLines(process.getInputStream(), node, "stdout", logger, false, maxLineLength);
    readLines(process.getErrorStream(), node, "stderr", logger, true, maxLineLength);
  }

  private static void readLines(InputStream stream, String node, String name, Logger logger, boolean warn, int max) {
    READERS.execute(() -> {
      Thread.currentThread().setName("node-" + node + "-" + name);
      MDC.put(NodeContext.MDC_NODE, node);
      try (Reader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8), 8192)) {
        StringBuilder line = new StringBuilder();
        long dropped = 0;
        for (int c = in.read(); c >= 0; c = in.read()) {
          if (c == '\n') {
            log(logger, line, dropped, warn);
            line.setLength(0);
            dropped = 0;
          } else if (line.length() < max) {
            line.append((char) c);
          } else {
            dropped++;
          }
        }
        if (line.length() > 0) {
          log(logger, line, dropped, warn);
        }
      } catch (IOException e) {
        // the process is gone
      } finally {
        MDC.remove(NodeContext.MDC_NODE);
        Thread.currentThread().setName("shepherd-output");
      }
    });
  }

  private static void log(Logger logger, StringBuilder line, long dropped, boolean warn) {
    int end = line.length();
    if (end > 0 && line.charAt(end - 1) == '\r') {
      line.setLength(end - 1);
    }
    String text = dropped == 0 ? line.toString() : line + " [... " + dropped + " more characters cut]";
    if (warn) {
      logger.warn(text);
    } else {
      logger.info(text);
    }
  }

  /** A process's stdin: lines queued, written by a thread of its own until {@link #close}. */
  static final class Input {
    private static final String END_OF_INPUT = new String("end of input");

    private final BlockingQueue<String> queue;

    Input(OutputStream stream, String node, int capacity) {
      this.queue = new LinkedBlockingQueue<>(capacity);
      Thread writer = new Thread(() -> {
        try (OutputStream out = stream) {
          for (String line = queue.take(); line != END_OF_INPUT; line = queue.take()) {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
          }
        } catch (IOException | InterruptedException e) {
          // the process is gone
        }
      }, "node-" + node + "-stdin");
      writer.setDaemon(true);
      writer.start();
    }

    /** Queues a line; never blocks. False if the queue is full (the process does not read). */
    boolean offer(String line) {
      return queue.offer(line);
    }

    /** Drops what is queued and ends the writer, which closes the stream. */
    void close() {
      queue.clear();
      queue.offer(END_OF_INPUT);
    }
  }
}
