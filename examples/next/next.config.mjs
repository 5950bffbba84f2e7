/** @type {import('next').NextConfig} */
export default {
  // The repository ignores dist/ in Git and in Biome, so the build output lives there.
  distDir: 'dist',
}
