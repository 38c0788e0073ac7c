package io.postino.mtasts;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import io.vertx.ext.web.codec.BodyCodec;
import io.vertx.ext.web.codec.spi.BodyStream;

/**
 * A response body kept in memory up to a limit: past it the response fails at once, so a policy
 * host that sends without end costs no more than {@code limit} octets (the web client's own buffer
 * codec keeps whatever comes).
 */
final class LimitedBody implements BodyCodec<Buffer> {

  private final int limit;

  LimitedBody(int limit) {
    this.limit = limit;
  }

  /** The body was longer than the limit. */
  static final class TooLargeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TooLargeException(int limit) {
      super("the policy is larger than " + limit + " octets", null, false, false);
    }
  }

  @Override
  public BodyStream<Buffer> stream() {
    return new BodyStream<>() {
      final Buffer body = Buffer.buffer();
      final Promise<Buffer> result = Promise.promise();

      @Override
      public Future<Buffer> result() {
        return result.future();
      }

      @Override
      public void handle(Throwable cause) {
        result.tryFail(cause);
      }

      @Override
      public Future<Void> write(Buffer data) {
        if (body.length() + data.length() > limit) {
          TooLargeException e = new TooLargeException(limit);
          result.tryFail(e);
          return Future.failedFuture(e);
        }
        body.appendBuffer(data);
        return Future.succeededFuture();
      }

      @Override
      public Future<Void> end() {
        result.tryComplete(body);
        return Future.succeededFuture();
      }

      @Override
      public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
        return this;
      }

      @Override
      public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
        return this;
      }

      @Override
      public boolean writeQueueFull() {
        return false;
      }

      @Override
      public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
        return this;
      }
    };
  }
}
