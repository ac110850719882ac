package io.shepherd.host.internal.process;

import io.shepherd.host.NodeTypeException;
import io.shepherd.protocol.ErrorCode;
import io.shepherd.protocol.Names;
import java.io.File;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;
import java.util.Optional;

/**
 * The executables process nodes may run on this host ({@code shepherd.host.process.allowed}):
 * absolute paths or globs such as {@code /opt/daq/bin/*}. An executable given by name is looked
 * up in the PATH first; it is allowed if its absolute path, or the file it links to, matches.
 * Process nodes run the resolved path, so a later change of PATH cannot swap the program.
 * Blocking (file system look-ups).
 */
public final class ExecutableAllowList {

  private final List<String> patterns;
  private final List<PathMatcher> matchers;

  /** @throws IllegalArgumentException if a pattern is not an absolute path or glob */
  public ExecutableAllowList(List<String> patterns) {
    this.patterns = List.copyOf(patterns);
    this.matchers = this.patterns.stream().map(ExecutableAllowList::matcher).toList();
  }

  private static PathMatcher matcher(String pattern) {
    if (pattern == null || !pattern.startsWith("/")) {
      throw new IllegalArgumentException("shepherd.host.process.allowed: '" + pattern
          + "' is not an absolute path or glob, e.g. /usr/bin/python3 or /opt/daq/bin/*");
    }
    try {
      return FileSystems.getDefault().getPathMatcher("glob:" + pattern);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("shepherd.host.process.allowed: '" + pattern + "' is not a valid glob: " + e.getMessage());
    }
  }

  public List<String> patterns() {
    return patterns;
  }

  /**
   * The absolute path of {@code executable}, if this host allows it.
   *
   * @param searchPath the PATH to look a bare name up in
   * @throws NodeTypeException NOT_ALLOWED if it is not on the allow-list, INVALID_ARGUMENT if it
   *     does not name an executable file
   */
  public Path resolve(String executable, String searchPath, String hostId) throws NodeTypeException {
    if (patterns.isEmpty()) {
      throw new NodeTypeException(ErrorCode.NOT_ALLOWED, "host " + hostId + " runs no process nodes: shepherd.host.process.allowed "
          + "is empty; list the executables it may run there, e.g. [\"/usr/bin/python3\"]");
    }
    Path path = locate(executable, searchPath, hostId);
    return allowed(path).orElseThrow(() -> new NodeTypeException(ErrorCode.NOT_ALLOWED, "executable " + path
        + " is not allowed on host " + hostId + ": it is not in shepherd.host.process.allowed " + patterns));
  }

  private Path locate(String executable, String searchPath, String hostId) throws NodeTypeException {
    try {
      if (executable.contains("/")) {
        Path path = Path.of(executable);
        if (!path.isAbsolute()) {
          throw new NodeTypeException(ErrorCode.INVALID_ARGUMENT, "executable '" + Names.abbreviate(executable)
              + "' is a relative path; give an absolute path or a bare name found in the PATH");
        }
        path = path.normalize();
        if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
          throw new NodeTypeException(ErrorCode.INVALID_ARGUMENT, "executable " + path + " does not exist or is not an executable "
              + "file on host " + hostId);
        }
        return path;
      }
      for (String dir : (searchPath == null ? "" : searchPath).split(File.pathSeparator)) {
        if (dir.isEmpty() || !dir.startsWith("/")) {
          continue;
        }
        Path candidate = Path.of(dir, executable).normalize();
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return candidate;
        }
      }
    } catch (InvalidPathException e) {
      throw new NodeTypeException(ErrorCode.INVALID_ARGUMENT, "executable '" + Names.abbreviate(executable) + "' is not a valid path");
    }
    throw new NodeTypeException(ErrorCode.INVALID_ARGUMENT, "executable '" + Names.abbreviate(executable) + "' is not found in the "
        + "PATH of host " + hostId + "; give its absolute path");
  }

  /** The path to run: {@code path} if it matches, else the file it links to if that matches. */
  private Optional<Path> allowed(Path path) {
    if (matchers.stream().anyMatch(m -> m.matches(path))) {
      return Optional.of(path);
    }
    try {
      Path real = path.toRealPath();
      return matchers.stream().anyMatch(m -> m.matches(real)) ? Optional.of(real) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
