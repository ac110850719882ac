package io.shepherd.api.routes;

import io.shepherd.api.ApiServer;

/** Every route of the API, version 1, and its OpenAPI document. */
public final class Routes {

  private Routes() {}

  /** Registers every route with the server's context: hand it to {@link ApiServer#start}. */
  public static void registerAll(ApiServer.Context context) {
    StatusRoutes.register(context);
    GroupRoutes.register(context);
    NodeRoutes.register(context);
    HostRoutes.register(context);
    TargetRoutes.register(context);
    SiteRoutes.register(context);
    LogRoutes.register(context);
    EventRoutes.register(context);
    SessionRoutes.register(context);
    MetricsRoutes.register(context);
    OpenApi.register(context);
  }
}
