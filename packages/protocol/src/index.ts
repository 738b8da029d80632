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
