package io.cairn.engine.watch;

/**
 * A watch event in the server's wire form, made by {@link WatchEncoding#event} once per read and
 * shared by every watcher that gets it. The hub only moves it around and counts its bytes.
 */
public interface EncodedEvent {
    /** The bytes it adds to a response: its field's tag and length and the event itself. */
    int wireBytes();
}
