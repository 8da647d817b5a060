// The Session Manager data channel's binary message, as the plugin lays it out
// (session-manager-plugin src/message/clientmessage.go and messageparser.go): round trips,
// the digest check, and one frame compared byte for byte with the plugin's layout.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import {
  acknowledgeOf,
  decodeMessage,
  encodeMessage,
  FLAG_SYN,
  HEADER_LENGTH,
  MessageType,
  PayloadType,
  SessionMessageError,
} from "../../src/wire/session-message.js";

test("a message survives encoding and decoding", () => {
  const m = {
    messageType: MessageType.OutputStreamData,
    schemaVersion: 1,
    createdDate: 1_765_000_000_123,
    sequenceNumber: 42n,
    flags: FLAG_SYN,
    messageId: "0b1c2d3e-4f50-4617-8899-aabbccddeeff",
    payloadType: PayloadType.Output,
    payload: Buffer.from("hello\r\n"),
  };
  assert.deepEqual(decodeMessage(encodeMessage(m)), m);
  const empty = decodeMessage(encodeMessage({ messageType: MessageType.InputStreamData }));
  assert.equal(empty.payload.length, 0);
  assert.equal(empty.messageType, "input_stream_data");
});

test("a frame is laid out as the plugin lays it out", () => {
  const payload = Buffer.from('{"cols":80,"rows":24}');
  const frame = encodeMessage({
    messageType: "input_stream_data",
    createdDate: 0x0102030405,
    sequenceNumber: 7n,
    flags: 2n,
    messageId: "00112233-4455-6677-8899-aabbccddeeff",
    payloadType: PayloadType.Size,
    payload,
  });
  const expected = Buffer.concat([
    Buffer.from([0, 0, 0, 116]), // HeaderLength
    Buffer.from("input_stream_data".padEnd(32, " ")), // MessageType, space padded
    Buffer.from([0, 0, 0, 1]), // SchemaVersion
    Buffer.from([0, 0, 0, 1, 2, 3, 4, 5]), // CreatedDate
    Buffer.from([0, 0, 0, 0, 0, 0, 0, 7]), // SequenceNumber
    Buffer.from([0, 0, 0, 0, 0, 0, 0, 2]), // Flags
    Buffer.from("8899aabbccddeeff0011223344556677", "hex"), // MessageId: least significant half first
    createHash("sha256").update(payload).digest(), // PayloadDigest
    Buffer.from([0, 0, 0, 3]), // PayloadType
    Buffer.from([0, 0, 0, payload.length]), // PayloadLength
    payload,
  ]);
  assert.equal(HEADER_LENGTH, 116);
  assert.deepEqual(frame, expected);
});

test("a payload that does not match its digest, or its length, is refused", () => {
  const frame = encodeMessage({ messageType: MessageType.OutputStreamData, payload: Buffer.from("abc") });
  const tampered = Buffer.from(frame);
  tampered[tampered.length - 1] = "x".charCodeAt(0);
  assert.throws(() => decodeMessage(tampered), SessionMessageError);
  assert.throws(() => decodeMessage(frame.subarray(0, frame.length - 1)), /payload length 3/);
  assert.throws(() => decodeMessage(frame.subarray(0, 100)), /at least 120 bytes/);
});

test("an acknowledge names the message it acknowledges", () => {
  const m = decodeMessage(encodeMessage({ messageType: MessageType.OutputStreamData, sequenceNumber: 9n, payload: Buffer.from("x") }));
  const ack = decodeMessage(acknowledgeOf(m));
  assert.equal(ack.messageType, "acknowledge");
  assert.equal(ack.flags, 3n);
  assert.deepEqual(JSON.parse(ack.payload.toString()), {
    AcknowledgedMessageType: "output_stream_data",
    AcknowledgedMessageId: m.messageId,
    AcknowledgedMessageSequenceNumber: 9,
    IsSequentialMessage: true,
  });
});
