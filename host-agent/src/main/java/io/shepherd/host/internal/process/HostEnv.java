package io.shepherd.host.internal.process;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The host-level environment (the Architect node's {@code get_env}/{@code set_env}): variables
 * added to the environment of every process a node starts afterwards, under the node spec's own.
 * Kept in {@code WORK_DIR/env.properties}, so that it survives a restart of the host agent.
 * Thread-safe; blocking (file I/O).
 */
public final class HostEnv {

  private final Path file;
  private final Map<String, String> values = new TreeMap<>();

  /** The environment kept in {@code workDir}; {@link #load} reads it. */
  public HostEnv(Path workDir) {
    this.file = workDir.resolve("env.properties");
  }

  /** Reads the variables kept in the work directory, if any. */
  public synchronized void load() {
    if (Files.isRegularFile(file)) {
      Properties properties = new Properties();
      try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        properties.load(reader);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the host environment " + file, e);
      }
      properties.stringPropertyNames().forEach(name -> values.put(name, properties.getProperty(name)));
    }
  }

  /** The value this host sets for a variable, if it sets one. */
  public synchronized Optional<String> get(String name) {
    return Optional.ofNullable(values.get(name));
  }

  /** Every variable this host sets. */
  public synchronized Map<String, String> all() {
    return Map.copyOf(values);
  }

  /**
   * Sets a variable ({@code value} null: removes it) and saves the environment.
   *
   * @throws IOException if it cannot be saved; nothing changed then
   */
  public synchronized void set(String name, String value) throws IOException {
    Map<String, String> next = new TreeMap<>(values);
    if (value == null) {
      next.remove(name);
    } else {
      next.put(name, value);
    }
    Properties properties = new Properties();
    properties.putAll(next);
    Files.createDirectories(file.getParent());
    Path temporary = file.resolveSibling(file.getFileName() + ".new");
    try (Writer writer = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8)) {
      properties.store(writer, "Shepherd host environment: set with setEnv, applied to processes started afterwards");
    }
    Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    values.clear();
    values.putAll(next);
  }
}
