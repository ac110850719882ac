package io.shepherd.cli;

import io.shepherd.client.ShepherdClient;
import io.shepherd.client.StatusJson;
import io.shepherd.client.StatusTable;
import java.nio.file.Path;

/**
 * {@code shepherd status} without picocli and Jackson, for the command operators (and scripts)
 * run most: building picocli's model of a command and setting Jackson up took 250 ms of a 400 ms
 * call. It reads the same options as {@link StatusCommand} into the same {@link Connection}; for
 * anything else (help, a bad option) it steps aside and picocli handles the command line.
 */
final class FastStatus {

  private FastStatus() {}

  /** The exit status, or null if these arguments are for picocli. */
  static Integer run(String[] args) {
    Connection connection = new Connection();
    connection.timeout = "15s";
    boolean json = false;
    for (int i = 1; i < args.length; i++) {
      String arg = args[i];
      String name = arg;
      String value = null;
      int equals = arg.indexOf('=');
      if (arg.startsWith("--") && equals > 0) {
        name = arg.substring(0, equals);
        value = arg.substring(equals + 1);
      }
      if (name.equals("--json") && value == null) {
        json = true;
        continue;
      }
      if (value == null) {
        if (i + 1 >= args.length || args[i + 1].startsWith("-")) {
          return null;
        }
        value = args[++i];
      }
      switch (name) {
        case "--api" -> connection.api = java.util.Arrays.asList(value.split(","));
        case "--config" -> connection.config = Path.of(value);
        case "--tls-dir" -> connection.tlsDir = Path.of(value);
        case "--token-file" -> connection.tokenFile = Path.of(value);
        case "--timeout" -> connection.timeout = value;
        default -> {
          return null;
        }
      }
    }
    ShepherdClient client;
    try {
      client = ShepherdClient.open(connection.settings());
    } catch (io.shepherd.client.ShepherdException e) {
      System.err.println("error: " + e.getMessage());
      return 1;
    } catch (IllegalArgumentException e) {
      return null; // picocli says what is wrong, with the usage
    }
    String text;
    try {
      text = client.statusJson().toCompletableFuture().join();
    } catch (java.util.concurrent.CompletionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      System.err.println("error: " + (cause.getMessage() == null ? cause.toString() : cause.getMessage()));
      return 1;
    }
    System.out.println(json ? text : StatusTable.render(StatusJson.read(text)));
    return 0;
  }
}
