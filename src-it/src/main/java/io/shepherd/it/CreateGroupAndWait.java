package io.shepherd.it;

import io.shepherd.client.ClientSettings;
import io.shepherd.client.ShepherdClient;
import java.time.Duration;

/** A client in its own JVM for tests: creates a group, then waits to be killed. Args: API-URLS GROUP. */
public final class CreateGroupAndWait {

  private CreateGroupAndWait() {}

  public static void main(String[] args) throws InterruptedException {
    ShepherdClient client = ShepherdClient.connect(ClientSettings.create().withApi(args[0].split(","))
        .withConnectTimeout(Duration.ofSeconds(90)));
    client.createGroup(args[1]).toCompletableFuture().join();
    System.out.println("created " + args[1]);
    Thread.sleep(Long.MAX_VALUE);
  }
}
