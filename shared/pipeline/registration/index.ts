/**
 * Public API of the registration core (METHOD.md P4). Pure functions: proxies and star lists in,
 * matrices and per-frame reports out. The phase runner (I/O, events) lives elsewhere.
 */
export type { Affine2x3 } from './affine';
export {
  IDENTITY,
  applyAffine,
  composeAffine,
  invertAffine,
  determinant,
  decompose,
  similarity,
  translation,
  rotationAbout,
  toFullResolution,
  maxCornerMotion,
} from './affine';
export { DEFAULT_REGISTRATION_CONFIG, type RegistrationConfig, type RegistrationEngine } from './config';
export { detectStars, type Star, type DetectStarsOptions } from './stars';
export { fitSimilarity, fitAffine, fitModel, type TransformModel } from './similarity';
export { ransacFit, type RansacOptions, type RansacResult } from './ransac';
export { buildTriangles, matchTriangles, registerByTriangles, type Triangle, type StarFit, type Point } from './triangles';
export { registerByStarPairs, type StarPairOptions } from './star-pairs';
export { phaseCorrelate, estimateRotation, hannWindow, type PhaseShift } from './phase-correlation';
export { eccAlign, type EccOptions, type EccResult } from './ecc';
export { buildIntensityPyramid, registerByIntensity, type IntensityMethod, type IntensityPyramid } from './intensity';
export { nccUnderTransform, acceptsCandidate } from './ncc';
export {
  prepareReference,
  registerFrame,
  verifyPrediction,
  type RegistrationReference,
  type RegistrationResult,
  type RegistrationMethod,
  type RegistrationAttempt,
  type RejectionCode,
  type MovingFrame,
} from './cascade';
export { postCheckRegistrations, checkSuccessFraction, type ProxySize } from './post-checks';
export { predictFailed, type PredictedTransform } from './predict';
export { computeCanvas, ditherShare, type Canvas, type Framing } from './canvas';
