package io.shepherd.api;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.http.javadsl.ServerBinding;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.shepherd.ShepherdConfig;
import io.shepherd.api.routes.Routes;
import io.shepherd.testing.TestConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** With no Manager running (a failover, a cluster still starting), the API says so: 503 with Retry-After, and what to check. */
class ApiWithoutManagerTest {

  static final ActorTestKit kit = ActorTestKit.create("api", ConfigFactory.parseString("shepherd.api.port = 0")
      .withFallback(ShepherdConfig.load(TestConfig.local())));

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  @Test
  void everyCallIsAnswered503WithRetryAfterAndNothingHangs() throws Exception {
    Config config = kit.system().settings().config();
    ServerBinding binding = ApiServer.start(kit.system(), ApiSettings.fromConfig(config), config, Routes::registerAll)
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    URI api = URI.create("http://127.0.0.1:" + binding.localAddress().getPort());
    HttpClient http = HttpClient.newHttpClient();
    for (String[] call : new String[][] {{"GET", "/api/v1/status"}, {"POST", "/api/v1/up"}, {"GET", "/metrics"}}) {
      HttpRequest.Builder request = HttpRequest.newBuilder(api.resolve(call[1])).timeout(Duration.ofSeconds(20));
      request.method(call[0], call[0].equals("POST") ? HttpRequest.BodyPublishers.ofString("{\"targets\":[\"all\"]}")
          : HttpRequest.BodyPublishers.noBody());
      HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(503, response.statusCode(), call[1] + ": " + response.body());
      assertEquals("2", response.headers().firstValue("Retry-After").orElse(""), call[1]);
      assertTrue(response.body().contains("\"code\":\"NO_MANAGER\"") && response.body().contains("member with role manager"),
          response.body());
    }
  }
}
