/** The FITS module's public API: read, write, header model and the pipeline's keyword view. */
export { FitsError, type Bitpix, type FitsCard, type FitsErrorCode, type FitsImageInfo, type FitsValue } from './types';
export { FitsHeader } from './header';
export { parseHeaderBlocks, parseCard, type ParsedHeader } from './header-parse';
export { encodeHeader, formatCard, formatFloat } from './header-encode';
export { readFitsHeader, readFitsImage, readFitsRows, type FitsHeaderResult } from './reader';
export {
  createFitsRowWriter,
  writeFitsImage,
  type FitsExtensionImage,
  type FitsGeometry,
  type FitsRowWriter,
  type WriteBitpix,
} from './writer';
export { headerSummary, carryOverCards, CARRY_OVER_KEYS, CFA_KEYS, type HeaderSummary } from './summary';
