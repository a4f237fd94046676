import type { FitsCard } from '../fits/types';
import type { SkySpec } from './spec-types';

/** A plausible small-refractor + cooled CMOS rig: 3.76 um pixels at 800 mm = 0.97"/px. */
export const SYNTH_INSTRUMENT = 'Tile Compile synth';
const TELESCOPE = 'Synthetic 800 mm f/5 refractor';
const PIXEL_UM = 3.76;
const FOCAL_MM = 800;
const CCD_TEMP_C = -10;

/** The header cards of frame f (the writer adds the structural ones: SIMPLE, BITPIX, NAXIS*, BZERO). */
export function frameCards(spec: SkySpec, f: number): FitsCard[] {
  const frame = spec.frames[f];
  if (!frame) throw new RangeError(`frame ${f} is not in [0, ${spec.frames.length})`);
  const o = spec.options;
  const cards: FitsCard[] = [
    { key: 'IMAGETYP', value: 'Light Frame', type: 'string', comment: 'type of image' },
    { key: 'EXPTIME', value: o.exposureS, type: 'float', comment: '[s] exposure time' },
    { key: 'DATE-OBS', value: frame.dateObs, type: 'string', comment: 'UTC start of exposure' },
    { key: 'GAIN', value: o.gainEPerAdu, type: 'float', comment: '[e-/ADU] conversion gain' },
    { key: 'EGAIN', value: o.gainEPerAdu, type: 'float', comment: '[e-/ADU] conversion gain' },
    { key: 'CCD-TEMP', value: CCD_TEMP_C, type: 'float', comment: '[C] sensor temperature' },
    { key: 'INSTRUME', value: SYNTH_INSTRUMENT, type: 'string', comment: 'synthetic camera' },
    { key: 'TELESCOP', value: TELESCOPE, type: 'string' },
    { key: 'FILTER', value: spec.bayer ? 'UV/IR cut' : 'L', type: 'string' },
    { key: 'OBJECT', value: `Synthetic field ${o.seed}`, type: 'string' },
    { key: 'XPIXSZ', value: PIXEL_UM, type: 'float', comment: '[um] pixel width' },
    { key: 'YPIXSZ', value: PIXEL_UM, type: 'float', comment: '[um] pixel height' },
    { key: 'FOCALLEN', value: FOCAL_MM, type: 'float', comment: '[mm] focal length' },
    { key: 'XBINNING', value: 1, type: 'int' },
    { key: 'YBINNING', value: 1, type: 'int' },
  ];
  if (spec.bayer) {
    cards.push(
      { key: 'BAYERPAT', value: spec.bayer, type: 'string', comment: 'CFA pattern in stored row order' },
      { key: 'XBAYROFF', value: 0, type: 'int' },
      { key: 'YBAYROFF', value: 0, type: 'int' },
    );
  }
  return cards;
}
