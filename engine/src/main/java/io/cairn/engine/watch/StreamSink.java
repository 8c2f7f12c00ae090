package io.cairn.engine.watch;

/**
 * What the watch hub needs from one gRPC watch stream. Only the holder of the hub's lock calls
 * these (the watch thread); none of them blocks.
 */
public interface StreamSink {
    /** Whether the transport takes more without buffering past its threshold (gRPC's isReady). */
    boolean isReady();

    /** Sends one response (the server encodes it); false if the stream is gone. */
    boolean send(WatchReply reply);

    /** Lets the client's next request in (inbound flow control: one request at a time). */
    void requestNext();

    /** Ends the stream with an internal error (the watch thread has failed). */
    void fail(String message);

    /** Ends the stream because the server stops. */
    void stop();
}
