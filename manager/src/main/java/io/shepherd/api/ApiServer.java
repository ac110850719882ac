package io.shepherd.api;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.Props;
import akka.http.javadsl.ConnectionContext;
import akka.http.javadsl.Http;
import akka.http.javadsl.HttpsConnectionContext;
import akka.http.javadsl.ServerBinding;
import akka.http.javadsl.ServerBuilder;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.headers.RawHeader;
import akka.http.scaladsl.model.EntityStreamSizeException;
import akka.stream.Materializer;
import akka.util.ByteString;
import com.typesafe.config.Config;
import io.shepherd.api.internal.EventHub;
import io.shepherd.api.internal.Stages;
import io.shepherd.protocol.ErrorCode;
import io.shepherd.protocol.TlsFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;

/**
 * The HTTP API of a manager member (Akka HTTP, on the member's own actor system): the calls under
 * {@code /api/v1}, live events and logs as Server-Sent Events, Prometheus metrics at
 * {@code /metrics}. Every call goes to the Manager singleton wherever it runs, so any manager
 * member's API serves the whole cluster. See {@link Router} for the routes, {@link Auth} for who
 * may call them.
 */
public final class ApiServer {

  /** What the route classes share. */
  public record Context(ManagerLink manager, ActorRef<EventHub.Command> events, ApiSettings settings, Config config,
                        Materializer materializer, Executor blocking, Router router) {}

  private final Router router;
  private final Auth auth;
  private final ApiSettings settings;
  private final Materializer materializer;

  private ApiServer(Router router, Auth auth, ApiSettings settings, Materializer materializer) {
    this.router = router;
    this.auth = auth;
    this.settings = settings;
    this.materializer = materializer;
  }

  /**
   * Binds the API on the member's system.
   *
   * @param routes registers the routes with the server's context (see {@code io.shepherd.api.routes.Routes})
   * @return the binding, once the port is open; failed if it cannot be (the port is taken, the
   *     certificates or tokens cannot be read)
   */
  public static CompletionStage<ServerBinding> start(ActorSystem<?> system, ApiSettings settings, Config config,
                                                   Consumer<Context> routes) {
    Auth auth;
    HttpsConnectionContext https;
    try {
      auth = settings.tls() ? Auth.load(settings.tokensFile()) : Auth.open();
      https = settings.tls() ? https(settings.tlsDir()) : null;
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    Materializer materializer = Materializer.matFromSystem(system);
    Executor blocking = system.dispatchers().lookup(DispatcherSelector.fromConfig(ApiSettings.BLOCKING_DISPATCHER));
    ManagerLink link = ManagerLink.start(system, settings.callTimeout());
    ActorRef<EventHub.Command> hub = system.systemActorOf(EventHub.create(settings.eventBuffer(), settings.eventCheckInterval()), "api-events", Props.empty());
    Router router = new Router();
    Context context = new Context(link, hub, settings, config, materializer, blocking, router);
    routes.accept(context);
    ApiServer server = new ApiServer(router, auth, settings, materializer);
    ServerBuilder builder = Http.get(system).newServerAt(settings.bind(), settings.port());
    if (https != null) {
      builder = builder.enableHttps(https);
    }
    return builder.bind(server::handle);
  }

  /** The routes, for the OpenAPI document and tests. */
  public Router router() {
    return router;
  }

  private CompletionStage<HttpResponse> handle(HttpRequest request) {
    try {
      List<String> segments = new ArrayList<>();
      request.getUri().pathSegments().forEach(segments::add);
      Router.Match match = router.match(request.method().value(), segments);
      if (match instanceof Router.MethodNotAllowed notAllowed) {
        request.discardEntityBytes(materializer);
        return CompletableFuture.completedFuture(Responses.problem(new ApiException(405, ErrorCode.NO_SUCH_ROUTE, request.method().value()
            + " is not allowed on " + request.getUri().path() + "; it takes " + String.join(", ", notAllowed.allowed())))
            .addHeader(RawHeader.create("Allow", String.join(", ", notAllowed.allowed()))));
      }
      if (!(match instanceof Router.Found found)) {
        request.discardEntityBytes(materializer);
        throw new ApiException(404, ErrorCode.NO_SUCH_ROUTE, "no route " + request.method().value() + " " + request.getUri().path()
            + "; the API's routes are listed in /api/v1/openapi.json");
      }
      Auth.Principal principal = auth.authenticate(request);
      if (!principal.may(found.route().role())) {
        request.discardEntityBytes(materializer);
        throw new ApiException(403, ErrorCode.FORBIDDEN, "this token may only read; " + found.route().method() + " "
            + found.route().template() + " changes the cluster and needs an operate token or a client certificate");
      }
      CompletionStage<ByteString> body;
      if (found.route().body() == null) {
        request.discardEntityBytes(materializer);
        body = CompletableFuture.completedFuture(ByteString.emptyByteString());
      } else {
        body = Stages.plain(request.entity().withSizeLimit(settings.maxBody()).toStrict(settings.callTimeout().toMillis(), materializer))
            .thenApply(strict -> strict.getData());
      }
      return body.thenCompose(bytes -> found.route().handler().handle(new Call(request, found.params(), bytes, principal)))
          .exceptionally(ApiServer::failure);
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(failure(e));
    }
  }

  private static HttpResponse failure(Throwable error) {
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof ApiException api) {
      return Responses.problem(api);
    }
    if (cause instanceof EntityStreamSizeException || (cause.getCause() instanceof EntityStreamSizeException)) {
      return Responses.problem(new ApiException(413, ErrorCode.TOO_LARGE, "the request body is larger than the "
          + "largest this API reads (shepherd.api.max-body); split it, or raise the setting on the manager members"));
    }
    if (cause instanceof IllegalArgumentException illegal) {
      return Responses.problem(ApiException.badRequest(illegal.getMessage()));
    }
    return Responses.problem(new ApiException(500, ErrorCode.INTERNAL, "internal error: " + cause));
  }

  /** HTTPS with the member's cluster certificate; client certificates are asked for, not required (tokens are the other way in). */
  static HttpsConnectionContext https(Path dir) {
    try {
      char[] password = Files.readString(dir.resolve(TlsFiles.PASSWORD)).trim().toCharArray();
      KeyStore keys = load(dir.resolve(TlsFiles.KEY_STORE), password);
      KeyStore trust = load(dir.resolve(TlsFiles.TRUST_STORE), password);
      KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keyManagers.init(keys, password);
      TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trustManagers.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), new SecureRandom());
      return ConnectionContext.httpsServer(() -> {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        engine.setWantClientAuth(true);
        engine.setEnabledProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        return engine;
      });
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("the API cannot use this member's certificates in " + dir + ": " + e.getMessage()
          + "; make them with bin/shepherd certs", e);
    }
  }

  private static KeyStore load(Path file, char[] password) throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      store.load(in, password);
    }
    return store;
  }
}
