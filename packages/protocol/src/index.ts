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
