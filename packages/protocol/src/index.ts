export { ErrorCodes, InvalidArgumentError, ProtocolError, type ErrorCode } from './errors.js';
export { formatDouble } from './format-double.js';
export {
  DEFAULT_MAX_BULK_LENGTH,
  DEFAULT_MAX_INLINE_LENGTH,
  DEFAULT_MAX_MULTIBULK_LENGTH,
  RequestParser,
  type RequestParserOptions,
} from './request-parser.js';
export { DEFAULT_WRITER_CAPACITY, RespWriter, type RespVersion } from './resp-writer.js';
export { splitArgs } from './split-args.js';
export { encodeCommand, type CommandEncoding } from './encode-command.js';
export { ReplyParser, type ReplyEncoding, type ReplyParserOptions } from './reply-parser.js';
export {
  AttributedValue,
  BigNumber,
  ErrorReply,
  Push,
  RespDouble,
  SimpleString,
  VerbatimString,
  type RespValue,
} from './resp-value.js';
export {
  BinaryErrorCodes,
  BinaryTags,
  DEFAULT_MAX_ARGS,
  DEFAULT_MAX_MESSAGE_LENGTH,
} from './binary-protocol.js';
export { BinaryRequestParser, type BinaryRequestParserOptions } from './binary-request-parser.js';
export { encodeBinaryRequest } from './encode-binary-request.js';
export { BinaryWriter, type BinaryWriterOptions } from './binary-writer.js';
export { BinaryReplyParser, type BinaryReplyParserOptions } from './binary-reply-parser.js';
export { BinaryErrorReply, type BinaryValue } from './binary-value.js';
