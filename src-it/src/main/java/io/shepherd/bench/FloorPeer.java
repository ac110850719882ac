package io.shepherd.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The second JVM of a floor measurement: started with the benchmark's class path, it prints
 * {@code port N} once it listens, and ends when its stdin closes (or the benchmark dies).
 */
final class FloorPeer implements AutoCloseable {

  private final Process process;
  final int port;

  /** Starts {@code main} in a JVM of its own and waits for its port. */
  FloorPeer(Class<?> main) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    process = new ProcessBuilder(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"), main.getName())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      String line = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII)).readLine();
      if (line == null || !line.startsWith("port ")) {
        throw new IllegalStateException("the JVM of " + main.getSimpleName() + " said " + line + " instead of its port");
      }
      port = Integer.parseInt(line.substring(5).trim());
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  /** In the peer's JVM: says {@code port}, waits until the benchmark closes stdin, then runs {@code stop} and exits. */
  static void serve(int port, Runnable stop) throws IOException {
    System.out.println("port " + port);
    System.out.flush();
    while (System.in.read() >= 0) {
      // until the benchmark closes our stdin (or dies)
    }
    stop.run();
    System.exit(0);
  }

  @Override
  public void close() throws IOException {
    process.getOutputStream().close();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
