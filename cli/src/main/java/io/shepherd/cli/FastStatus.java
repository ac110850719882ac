package io.shepherd.cli;

import io.shepherd.client.ShepherdClient;
import io.shepherd.client.ShepherdException;
import io.shepherd.client.StatusJson;
import io.shepherd.client.StatusTable;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionException;
import javax.net.ssl.SSLContext;

/**
 * {@code shepherd status} without picocli and Jackson, for the command operators (and scripts)
 * run most: building picocli's model of a command and setting Jackson up took 250 ms of a 400 ms
 * call. It reads the same options as {@link StatusCommand} into the same {@link Connection}; for
 * anything else (help, a bad option) it steps aside and picocli handles the command line.
 */
final class FastStatus {

  private FastStatus() {}

  /**
   * Loads what a status call loads (the configuration, the client, the JSON reader, the table), with
   * a status of the API's own shape, so that the class archive bin/shepherd makes of this run serves
   * real calls. Prints nothing.
   */
  static void train() {
    Connection connection = new Connection();
    connection.timeout = "15s";
    connection.api = List.of("http://127.0.0.1:1");
    ShepherdClient.open(connection.settings());
    String sample = "{\"manager\":{\"address\":\"akka://shepherd@127.0.0.1:2551\",\"epoch\":1,\"backup\":null},"
        + "\"members\":[{\"address\":\"akka://shepherd@127.0.0.1:2551\",\"roles\":[\"host\",\"manager\",\"member\"],"
        + "\"status\":\"Up\",\"reachable\":true}],\"hosts\":[{\"id\":\"daq1\",\"address\":\"akka://shepherd@127.0.0.1:2551\","
        + "\"status\":\"UP\",\"groups\":1,\"nodes\":1}],\"groups\":[{\"path\":\"daq1/acq\",\"host\":\"daq1\",\"persistent\":false,"
        + "\"owner\":null,\"status\":\"UP\"}],\"nodes\":[{\"path\":\"daq1/acq/sine\",\"host\":\"daq1\",\"type\":\"sine\","
        + "\"state\":\"RUNNING\",\"requested\":\"RUNNING\",\"mode\":\"AUTO\",\"stalled\":false,\"restarts\":0,"
        + "\"lastFailure\":null,\"lastFailureAt\":null,\"stability\":1.0,\"managedBy\":null,\"pid\":null,\"exit\":null,"
        + "\"since\":\"2026-12-01T12:00:00.123456Z\",\"seq\":1,\"arrived\":true}],\"converged\":true,"
        + "\"logs\":{\"records\":1,\"sources\":1,\"gaps\":0,\"missing\":0,\"dropped\":0,\"file\":null}}";
    StatusTable.render(StatusJson.read(sample));
    try {
      SSLContext.getInstance("TLS").init(null, null, null);
      KeyStore.getInstance("PKCS12");
    } catch (GeneralSecurityException e) {
      // only loading classes
    }
  }

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
        case "--api" -> connection.api = Arrays.asList(value.split(","));
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
    } catch (ShepherdException e) {
      System.err.println("error: " + e.getMessage());
      return 1;
    } catch (IllegalArgumentException e) {
      return null; // picocli says what is wrong, with the usage
    }
    String text;
    try {
      text = client.statusJson().toCompletableFuture().join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      System.err.println("error: " + (cause.getMessage() == null ? cause.toString() : cause.getMessage()));
      return 1;
    }
    System.out.println(json ? text : StatusTable.render(StatusJson.read(text)));
    return 0;
  }
}
